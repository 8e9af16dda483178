"""A station's first start: a token, no roster yet. The bot runs, says in its log how to import
the roster, answers villagers' questions, and tells them plainly that their village is not found."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services import Knowledge
from tests.fakes import FakeBotApi

from .as_run import bot_process, interrupt, say, until

pytestmark = pytest.mark.asyncio


async def test_without_a_roster_the_log_says_how_to_import_it_and_villagers_are_answered(
    tmp_path: Path, knowledge: Knowledge
) -> None:
    faq = knowledge.faq
    async with FakeBotApi(settle_timeout=30) as api:
        with bot_process(api, tmp_path, roster=False, CUNJING_TELEGRAM__CORE_PROCESS="false") as bot:
            await until(lambda: bool(api.calls_to("setMyCommands")) and bool(api.counts["getUpdates"]), 60, bot)
            villager = api.user(5501, "老李")
            replies = await say(villager, "/start QS001", replies=2)
            assert replies[-1] == faq.message("error.unknown_village", "zh", code="QS001")
            replies = await say(villager, "有人冒充公安说我涉嫌洗钱 让我转钱到安全账户", replies=2)
            assert faq["fraud.impersonate_police"].first("zh") in replies[0]
            assert replies[-1] == faq.message("village.ask_again", "zh")
            await interrupt(bot, tmp_path)
    log = (tmp_path / "stderr.txt").read_text()
    assert "no roster yet" in log and "cunjing roster import bot/store/demo_roster.csv" in log
