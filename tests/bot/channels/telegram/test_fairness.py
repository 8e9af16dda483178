"""One chat never holds up the others: a villager who floods waits behind themselves only, and an
urgent card reaches its officer whatever the backlog to the duty desk. Telegram's limits are
enforced by the fake (429 beyond them)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.core.types import Reply
from bot.services import Knowledge
from bot.settings import DatabaseSettings
from bot.store import outbox
from tests.fakes import FakeBotApi

from .conftest import Bot, bot_settings, running

SCAMMED = "我刚刚被骗转了五千块"
# three questions with three different answers: the flooder's answers show their order
QUESTIONS = (
    "/check 请拨打 13800001234",
    "/check 【公安局】您涉嫌洗钱，请立即将存款转入安全账户配合调查",
    "/check 点击 http://a7.xyz 领取",
)
FLOOD = 150


async def limited_bot(
    database: DatabaseSettings, demo_db: sessionmaker[Session], knowledge: Knowledge, per_chat: int, interval: str
) -> AsyncIterator[Bot]:
    async with FakeBotApi(enforce_limits=True, per_chat_per_second=per_chat) as api:
        settings = bot_settings(database, api, CUNJING_TELEGRAM__PER_CHAT_INTERVAL=interval)
        async with running(api, settings, demo_db, knowledge) as harness:
            yield harness


@pytest.fixture
async def quick_chats(
    database: DatabaseSettings, demo_db: sessionmaker[Session], knowledge: Knowledge, ptb_timedelta: None
) -> AsyncIterator[Bot]:
    """30 messages a second overall, 20 a minute to a group; a private chat's pace raised to 10 a
    second so that the flooder's 150 answers take seconds, not minutes."""
    async for harness in limited_bot(database, demo_db, knowledge, per_chat=10, interval="0.02"):
        yield harness


@pytest.fixture
async def telegram_pace(
    database: DatabaseSettings, demo_db: sessionmaker[Session], knowledge: Knowledge, ptb_timedelta: None
) -> AsyncIterator[Bot]:
    """Telegram's limits as they are: one message a second to a chat, 20 a minute to a group, 30 a second."""
    async for harness in limited_bot(database, demo_db, knowledge, per_chat=1, interval="1.0"):
        yield harness


async def test_a_villager_who_floods_waits_behind_themselves_only(quick_chats: Bot) -> None:
    bot = quick_chats
    flooder, other = await bot.registered(5901), await bot.registered(5902)
    answers = {q: (await flooder.send(q)).texts for q in QUESTIONS}  # each question's answer, asked alone
    assert len({tuple(a) for a in answers.values()}) == 3
    before, others_before = len(flooder.messages), len(other.messages)

    for i in range(FLOOD):  # 150 messages at once
        await flooder.send(QUESTIONS[i % 3], settle=False)
    await other.send("冒充公安让转账到安全账户是真的吗", settle=False)
    await bot.until(lambda: len(other.messages) > others_before, timeout=60, what="the other villager's answer")
    assert len(flooder.messages) - before < 20  # not behind the flooder's queue (before: after ~87 of them)

    expected = [text for i in range(FLOOD) for text in answers[QUESTIONS[i % 3]]]
    notice = bot.say("slow_down")
    everything = len(expected) + 1
    await bot.until(lambda: len(flooder.messages) - before >= everything, timeout=90, what="every answer")
    await asyncio.sleep(0.5)  # time enough for an answer too many to show up
    got = [m.summary for m in flooder.messages[before:]]
    assert got.count(notice) == 1  # told once to slow down
    got.remove(notice)
    assert got == expected  # nothing dropped, every answer in the order asked


async def test_an_urgent_card_does_not_wait_behind_the_desks_backlog(telegram_pace: Bot) -> None:
    bot = telegram_pace
    desk, officer, neighbours_officer = bot.desk(), bot.officer(1001), bot.officer(1002)
    villager, neighbour = await bot.registered(5911), await bot.registered(5912, "QS003")  # QS003: officer 1002
    with bot.db.begin() as session:  # 60 messages queued for the duty desk: three minutes at 20 a minute
        backlog = [outbox.Outgoing(f"backlog:{i}", desk.id, outbox.payload(Reply(f"积压 {i}"))) for i in range(60)]
        outbox.enqueue_all(session, backlog)
    backlog_sent: Callable[[], int] = lambda: sum((m.text or "").startswith("积压") for m in desk.messages)  # noqa: E731
    await bot.until(backlog_sent, what="the backlog begins")

    # (settle=False: the bot is never quiet while the backlog goes out)
    await villager.send(SCAMMED, settle=False)
    await bot.until(lambda: bot.say("urgent.paged", number=1) in villager.replies, what="the page is #1")
    await neighbour.send("/request id_card_lost 身份证丢了", settle=False)  # an ordinary request: #2, officer 1002
    urgent = bot.say("card.title", urgent=bot.say("card.urgent"), number=1)
    await bot.until(lambda: any((m.text or "").startswith(urgent) for m in officer.messages), timeout=20)
    assert backlog_sent() < 10  # the officer's page went out while the desk's backlog is still waiting
    await bot.cards_for(neighbours_officer, 2)
    assert backlog_sent() < 10  # another officer's card is not held behind the desk either
    # at the desk itself the urgent card goes before the rest of the backlog
    await bot.until(lambda: any((m.text or "").startswith(urgent) for m in desk.messages), timeout=20)
    assert backlog_sent() < 12
    assert [hit for hit in bot.api.limit_hits if hit[1] == desk.id] == []  # no 429: a group is paced at 20 a minute
