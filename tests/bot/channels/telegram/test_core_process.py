"""The bot as `cunjing run` runs it: its own process, the conversation core in a child process.

A villager registers, asks, opens a request that reaches the officer; an admin's `/reload` brings
an edited answer; the core's process is killed and the bot carries on with a new one; Ctrl-C
stops the bot and its core cleanly.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from bot.services import Knowledge
from tests.fakes import FakeBotApi

from .as_run import bot_process, interrupt, say, until

pytestmark = pytest.mark.asyncio

ADMIN = 9001
NEW_ANSWER = "（已更新）请带户口簿到派出所户籍窗口补办。"


@pytest.fixture
async def telegram(tmp_path: Path) -> AsyncIterator[tuple[FakeBotApi, subprocess.Popen[bytes]]]:
    """The fake Bot API here, the bot in its own process with its core in a child process."""
    async with FakeBotApi(settle_timeout=30) as api:
        api.user(1001, "王示例")
        settings = {
            "CUNJING_TELEGRAM__CORE_PROCESS": "true",  # as config.yaml has it
            "CUNJING_TELEGRAM__ADMINS": f"[{ADMIN}]",
        }
        with bot_process(api, tmp_path, **settings) as bot:
            await until(lambda: bool(api.calls_to("setMyCommands")) and bool(api.counts["getUpdates"]), 60, bot)
            yield api, bot


def edit_answer(path: Path, intent_id: str, answer: str) -> None:
    """Change what one intent says first in Chinese (its lead) in a FAQ file, as an administrator would."""
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    [intent] = [i for i in content["intents"] if i["id"] == intent_id]
    intent["lead"]["zh"] = answer
    path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")


def core_pids(bot: subprocess.Popen[bytes]) -> list[int]:
    """The bot's child processes running Python (the core; spawn's resource tracker aside)."""
    children = Path(f"/proc/{bot.pid}/task/{bot.pid}/children").read_text().split()
    pids = []
    for pid in map(int, children):
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        if b"resource_tracker" not in cmdline:
            pids.append(pid)
    return pids


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from /proc")
async def test_the_bot_as_run_answers_from_its_core_process_and_survives_losing_it(
    telegram: tuple[FakeBotApi, subprocess.Popen[bytes]], knowledge: Knowledge, tmp_path: Path
) -> None:
    api, bot = telegram
    faq = knowledge.faq
    villager = api.user(5301, "村民", "zh")
    id_card = faq["service.id_card_lost"].first("zh")

    registered = await say(villager, "/start QS001", replies=2)
    village = faq.message("welcome.village", "zh", village="青山村", town="青山镇（示例）", officer="王示例")
    assert registered == [faq.message("welcome", "zh"), village]
    assert await say(villager, "身份证丢了怎么补办") == [id_card]
    created = await say(villager, "/request id_card_lost 身份证丢了，想补办")
    assert "#1" in created[0]
    await until(lambda: any("#1" in m.summary for m in api.messages if m.chat_id == 1001), 20)

    edit_answer(tmp_path / "faq" / "services.yaml", "service.id_card_lost", NEW_ANSWER)
    admin = api.user(ADMIN, "管理员", "zh")
    count = len(faq.intents)
    assert await say(admin, "/reload") == [faq.message("admin.reloaded", "zh", count=count)]
    id_card = f"【{faq['service.id_card_lost'].title.get('zh')}】\n{NEW_ANSWER}"
    assert await say(villager, "身份证丢了怎么补办") == [id_card]

    [core] = core_pids(bot)
    os.kill(core, signal.SIGKILL)
    await until(lambda: core not in core_pids(bot), 10)
    assert await say(villager, "身份证丢了怎么补办") == [id_card]  # the message after the loss is answered
    assert core_pids(bot) and core_pids(bot) != [core], "no new core process"

    await interrupt(bot, tmp_path)  # the bot and its core process get Ctrl-C
