"""Blocked, then unblocked; and a send whose answer never came.

A message for someone who blocked the bot is held, its sender told the truth, and it arrives once
when they come back. When Telegram carried a send out but its answer came after the client's
time-out, an alert is not sent again and an urgent card is (once)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.store.models import Outbox

from .conftest import OFFICERS, Bot
from .test_alerts import delivery_of, queue_alert, villagers

NEWBORN = "/request hukou_newborn 孩子上个月出生，想上户口"
SCAMMED = "我刚刚被骗转了五千块"
WORDS = "请明天带户口本来派出所"


def relayed(bot: Bot, number: int, words: str = WORDS) -> str:
    return bot.say("notify.to_citizen", officer=OFFICERS[1001], number=number, text=words)


def rows_to(bot: Bot, chat_id: int) -> list[Outbox]:
    return [r for r in bot.outbox() if r.chat_id == chat_id]


async def test_a_villager_who_blocked_the_bot_gets_the_officers_words_when_they_unblock_it(bot: Bot) -> None:
    villager = await bot.registered(5601)
    officer = bot.officer(1001)
    await villager.send("/request hukou_newborn 孩子上个月出生，想上户口 电话13812345678")
    await bot.cards_for(officer, 1)
    await villager.block_bot()  # Telegram tells the bot (my_chat_member)
    assert bot.citizen(villager.id).blocked

    told = await officer.send(f"/reply 1 {WORDS}")
    phone = bot.request(1).contact_phone or bot.say("card.no_phone")
    assert told.texts == [bot.say("officer.relay_blocked", number=1, phone=phone)]  # not "relayed"
    await asyncio.sleep(0.3)
    assert relayed(bot, 1) not in villager.replies
    assert [r.status for r in rows_to(bot, villager.id) if ":relay:" in r.dedupe_key] == ["blocked"]  # held

    await villager.unblock_bot()
    await bot.until(lambda: relayed(bot, 1) in villager.replies, what="the held message")
    await asyncio.sleep(0.3)
    assert villager.replies.count(relayed(bot, 1)) == 1
    assert not bot.citizen(villager.id).blocked


async def test_a_villager_who_writes_again_gets_what_was_held_once(bot: Bot) -> None:
    villager = await bot.registered(5602)
    officer = bot.officer(1001)
    await villager.send(NEWBORN)
    await bot.cards_for(officer, 1)
    await villager.block_bot()
    await officer.send(f"/reply 1 {WORDS}")
    assert (await officer.send("/done 1")).texts == [bot.say("officer.done", number=1)]

    bot.api.unblock(villager.id)  # unblocked without a word to the bot: it learns from their next message
    await villager.send("/myrequests")
    done = bot.say("notify.done", number=1)
    await bot.until(lambda: done in villager.replies, what="the held messages")
    await asyncio.sleep(0.3)
    assert villager.replies.count(relayed(bot, 1)) == 1 and villager.replies.count(done) == 1
    assert villager.replies.index(relayed(bot, 1)) < villager.replies.index(done)  # in their order


async def test_a_villager_whose_block_is_found_on_sending_gets_it_later(bot: Bot) -> None:
    """Telegram's 403 tells the bot before any update does: the message is held, not dropped."""
    villager = await bot.registered(5603)
    officer = bot.officer(1001)
    await villager.send(NEWBORN)
    await bot.cards_for(officer, 1)
    bot.api.block(villager.id)
    await officer.send(f"/reply 1 {WORDS}")
    await bot.until(lambda: bot.citizen(villager.id).blocked, what="the villager marked blocked")
    assert [r.status for r in rows_to(bot, villager.id) if ":relay:" in r.dedupe_key] == ["blocked"]

    await villager.unblock_bot()
    await bot.until(lambda: relayed(bot, 1) in villager.replies, what="the held message")
    await asyncio.sleep(0.3)
    assert villager.replies.count(relayed(bot, 1)) == 1


async def test_an_officer_who_blocked_the_bot_gets_the_card_when_back_and_the_desk_gets_it_now(bot: Bot) -> None:
    officer, desk = bot.officer(1001), bot.desk()
    await officer.send("/start")
    await officer.block_bot()
    villager = await bot.registered(5604)

    await villager.send(NEWBORN)
    [copy] = await bot.cards_for(desk, 1)  # the desk's copy now, not after the accept deadline
    assert copy.buttons
    await asyncio.sleep(0.3)
    assert not [m for m in officer.messages if "#1" in (m.text or "")]  # nothing yet
    assert [r.status for r in rows_to(bot, officer.id) if r.ref == "request:1"] == ["blocked"]

    await officer.unblock_bot()
    [card] = await bot.cards_for(officer, 1)
    await asyncio.sleep(0.3)
    assert len(await bot.cards_for(officer, 1)) == 1
    accepted = await officer.press(bot.say("button.accept"), message=card)
    assert accepted.texts == [bot.say("officer.accepted", number=1)]


@pytest.mark.bot_env(CUNJING_TELEGRAM__SEND_TIMEOUT="0.3")
async def test_an_urgent_card_answered_after_the_time_out_is_sent_again_once(bot: Bot) -> None:
    villager = await bot.registered(5605)
    officer = bot.officer(1001)
    bot.api.fail_next("sendMessage", delay=0.8, carried_out=True, chat_id=officer.id)  # carried out, answered too late

    await villager.send(SCAMMED)
    title = bot.say("card.title", urgent=bot.say("card.urgent"), number=1)
    cards = lambda: [m for m in officer.messages if (m.text or "").split("\n", 1)[0].endswith(title)]  # noqa: E731
    await bot.until(lambda: len(cards()) == 2, timeout=15.0, what="the card and its one resend")
    await asyncio.sleep(0.5)
    assert len(cards()) == 2  # a duplicate at most: better than a lost page
    [row] = [r for r in rows_to(bot, officer.id) if r.dedupe_key == f"request:1:card:{officer.id}"]
    assert (row.status, row.attempts, row.sending_since) == ("sent", 2, None)


@pytest.mark.bot_env(CUNJING_TELEGRAM__SEND_TIMEOUT="0.3")
async def test_an_alert_answered_after_the_time_out_is_not_sent_again(bot: Bot) -> None:
    first, second = villagers(bot, 5610, 2)
    bot.api.fail_next("sendMessage", delay=0.8, carried_out=True, chat_id=first.id)
    text = "近期有人冒充公安，要求转账到安全账户"
    queue_alert(bot, text, progress_chat=None)

    await bot.until(lambda: delivery_of(bot, first.id).status == "failed", timeout=10.0, what="given up")
    await bot.until(lambda: delivery_of(bot, second.id).status == "sent", what="the other villager's")
    await asyncio.sleep(1.0)
    assert sum(text in (m.text or "") for m in first.messages) == 1  # the late one, never a second
    assert "outcome unknown" in (delivery_of(bot, first.id).error or "")


async def test_a_flood_limit_logs_one_warning_line_without_a_traceback(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    villager = await bot.registered(5606)
    officer = bot.officer(1001)
    caplog.set_level(logging.INFO)
    bot.api.fail_next("sendMessage", retry_after=1, chat_id=officer.id)
    await villager.send(NEWBORN)
    await bot.cards_for(officer, 1)
    flood = [r for r in caplog.records if "retry" in r.getMessage().lower() or "rate limit" in r.getMessage().lower()]
    assert [(r.levelname, r.exc_info) for r in flood] == [("WARNING", None)]
    assert "retry_after 1 s" in flood[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
