"""kill -9 of the bot as `cunjing run` runs it: nothing lost, nothing told twice.

Telegram forgets an update once the bot has acknowledged it (the next getUpdates, or the webhook's
200). Here every reply hangs at Telegram, so the updates are fetched and acknowledged, their turns
are done (a request saved), and no answer has gone out, when the bot is killed. At the next start
every villager is answered, and the villager with the request is told its "#1" once. The core's
process, orphaned by the kill, leaves quietly.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.services import Knowledge
from bot.settings import DatabaseSettings
from bot.store.models import Request
from tests.fakes import FakeBotApi, FakeUser
from tests.fakes.webhook import WebhookProxy, free_port

from .as_run import bot_process, interrupt, say, until
from .conftest import DESKS, OFFICERS
from .test_core_process import core_pids

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from /proc"),
]

QUESTION = "身份证丢了怎么补办"
ASKING = range(5411, 5417)  # villagers who ask a question when the bot is killed
REQUESTER = 5410
PUBLIC = "https://cunjing.example/telegram"


def people(api: FakeBotApi) -> tuple[FakeUser, list[FakeUser]]:
    for officer, name in OFFICERS.items():
        api.user(officer, name)
    for town, chat_id in DESKS.items():
        api.group(chat_id, f"{town}值班台")
    return api.user(REQUESTER, "报案人"), [api.user(i, f"村民{i}") for i in ASKING]


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] in ("Z", "X")
    except FileNotFoundError:
        return True


async def killed_while_replying(
    api: FakeBotApi, bot: subprocess.Popen[bytes], requester: FakeUser, asking: list[FakeUser]
) -> None:
    """Every reply hangs at Telegram; the updates are acknowledged and handled up to their reply;
    then the bot's main process is killed (kill -9), not its core."""
    await say(requester, "/start QS001", replies=2)
    [core] = core_pids(bot)
    for person in (requester, *asking):
        api.fail_next("sendMessage", delay=3600, chat_id=person.id)  # Telegram slow to take each reply
    await requester.send("/request id_card_lost 身份证丢了，想补办", settle=False)
    for villager in asking:
        await villager.send(QUESTION, settle=False)

    def replying() -> bool:
        waiting = {c.chat_id for c in api.calls_to("sendMessage") if c.status == 0 and c.description is None}
        return not api.pending_updates and waiting >= {p.id for p in (requester, *asking)}

    await until(replying, 30, bot)  # acknowledged to Telegram, each turn done, each reply in flight
    os.kill(bot.pid, signal.SIGKILL)
    await until(lambda: bot.poll() is not None and gone(core), 30)
    assert not any(m.chat_id in {p.id for p in (requester, *asking)} and "#1" in m.summary for m in api.messages)


async def answered_once_after_the_restart(
    api: FakeBotApi, requester: FakeUser, asking: list[FakeUser], knowledge: Knowledge, db: sessionmaker[Session]
) -> None:
    lost = knowledge.faq["service.id_card_lost"]
    answer = lost.first("zh")
    await until(lambda: all(v.replies == [answer] for v in asking) and any("#1" in r for r in requester.replies), 60)
    await asyncio.sleep(1.0)  # nothing more comes: each told once
    assert [v.replies for v in asking] == [[answer]] * len(asking)
    assert sum("#1" in r for r in requester.replies) == 1
    with db() as session:
        assert session.scalar(select(func.count()).select_from(Request)) == 1


def quiet(tmp_path: Path) -> None:
    stderr = (tmp_path / "stderr.txt").read_text()
    assert "Traceback" not in stderr, stderr[-3000:]


async def test_a_kill_while_replying_loses_no_update_when_polling(
    database: DatabaseSettings, demo_db: sessionmaker[Session], knowledge: Knowledge, tmp_path: Path
) -> None:
    settings = {"CUNJING_TELEGRAM__CORE_PROCESS": "true"}
    async with FakeBotApi(settle_timeout=30) as api:
        requester, asking = people(api)
        with bot_process(api, tmp_path, roster=False, database=database, **settings) as bot:
            await until(lambda: bool(api.calls_to("setMyCommands")) and bool(api.counts["getUpdates"]), 60, bot)
            await killed_while_replying(api, bot, requester, asking)
        quiet(tmp_path)  # the core, orphaned, left without a traceback
        with bot_process(api, tmp_path, roster=False, database=database, again=True, **settings):
            await answered_once_after_the_restart(api, requester, asking, knowledge, demo_db)
        quiet(tmp_path)


async def test_a_kill_while_replying_loses_no_update_on_a_webhook(knowledge: Knowledge, tmp_path: Path) -> None:
    port = free_port()
    settings = {
        "CUNJING_TELEGRAM__MODE": "webhook",
        "CUNJING_TELEGRAM__WEBHOOK_URL": PUBLIC,
        "CUNJING_TELEGRAM__WEBHOOK_LISTEN": "127.0.0.1",
        "CUNJING_TELEGRAM__WEBHOOK_PORT": str(port),
        "CUNJING_TELEGRAM__CORE_PROCESS": "true",
    }
    database = DatabaseSettings(path=tmp_path / "bot.sqlite3")
    async with (
        FakeBotApi(settle_timeout=30) as api,
        WebhookProxy(api, PUBLIC, f"http://127.0.0.1:{port}") as telegram,
    ):
        requester, asking = people(api)
        with bot_process(api, tmp_path, **settings) as bot:
            await until(lambda: telegram.target() is not None and bool(api.calls_to("setMyCommands")), 60, bot)
            await killed_while_replying(api, bot, requester, asking)
        quiet(tmp_path)
        from bot.store.db import make_engine, session_factory

        engine = make_engine(database)
        try:
            with bot_process(api, tmp_path, again=True, **settings):
                await answered_once_after_the_restart(api, requester, asking, knowledge, session_factory(engine))
        finally:
            engine.dispose()
        quiet(tmp_path)


async def test_the_bot_waits_for_telegram_at_start_and_stops_on_ctrl_c_meanwhile(
    knowledge: Knowledge, tmp_path: Path
) -> None:
    tries = "Telegram does not answer"
    async with FakeBotApi(settle_timeout=30, port=free_port()) as api:
        villager = api.user(5420, "村民")
        await api.stop()  # Telegram out of reach
        with bot_process(api, tmp_path) as bot:
            await until(lambda: (tmp_path / "stderr.txt").read_text().count(tries) >= 2, 30, bot)
            await interrupt(bot, tmp_path)  # Ctrl-C while it waits: a clean stop
        with bot_process(api, tmp_path, again=True) as bot:
            await until(lambda: (tmp_path / "stderr.txt").read_text().count(tries) >= 3, 30, bot)
            await api.start()  # the network is back
            await until(lambda: bool(api.calls_to("setMyCommands")), 60, bot)
            assert await say(villager, "/start") != []
            await interrupt(bot, tmp_path)
    stderr = (tmp_path / "stderr.txt").read_text()
    assert "Traceback" not in stderr and "Unclosed" not in stderr, stderr[-3000:]
    assert all(" WARNING " in line for line in stderr.splitlines() if tries in line)  # one line per try
