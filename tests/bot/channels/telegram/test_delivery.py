"""Nothing lost, nothing twice: restarts, redelivered updates, flood limits, blocked users."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from bot.store.models import Outbox
from bot.store.types import utcnow
from tests.fakes import ApiCall

from .conftest import OFFICERS, Bot

NEWBORN = "/request hukou_newborn 孩子上个月出生，想上户口"


def sends_to(bot: Bot, chat_id: int, about: int | None = None) -> list[ApiCall]:
    """The bot's attempts to send a message to `chat_id` (only those about request #`about` if given)."""
    calls = [c for c in bot.api.calls_to("sendMessage") if c.chat_id == chat_id]
    return [c for c in calls if about is None or f"#{about}" in str(c.params.get("text", ""))]


def card_row(bot: Bot, chat_id: int, number: int) -> Outbox:
    [row] = [r for r in bot.outbox() if r.dedupe_key == f"request:{number}:card:{chat_id}"]
    return row


async def test_a_restart_delivers_the_undelivered_card_exactly_once(bot: Bot) -> None:
    villager = await bot.registered(5101)
    officer = bot.officer(1001)
    bot.api.fail_next("sendMessage", status=500, chat_id=officer.id)  # Telegram has a bad moment

    opened = await villager.send(NEWBORN)
    assert opened.texts == [bot.say("request.created", number=1, officer=OFFICERS[1001])]  # committed first
    await bot.until(lambda: sends_to(bot, officer.id, 1), what="the first attempt")
    assert [c.status for c in sends_to(bot, officer.id, 1)] == [500]
    row = card_row(bot, officer.id, 1)
    assert (row.status, row.attempts) == ("pending", 1)

    await bot.restart()  # the process goes away before the retry; a new one starts on the same database
    cards = await bot.cards_for(officer, 1, count=1, timeout=20)  # after the retry's backoff, however slow the start
    await asyncio.sleep(0.3)  # time enough for a second copy to show up, if there were one
    assert len(await bot.cards_for(officer, 1)) == 1 and cards[0].buttons
    row = card_row(bot, officer.id, 1)
    assert (row.status, row.attempts) == ("sent", 2)
    assert [c.status for c in sends_to(bot, officer.id, 1)] == [500, 200]
    assert bot.apps_started == 2

    # the card delivered by the second process works like any other
    assert (await officer.press(bot.say("button.accept"), message=cards[0])).texts == [
        bot.say("officer.accepted", number=1)
    ]
    await bot.until(lambda: bot.say("notify.accepted", number=1, officer=OFFICERS[1001]) in villager.replies)


@pytest.mark.bot_env(CUNJING_TELEGRAM__PER_CHAT_INTERVAL="1.0")  # Telegram's pace: one a second to a chat
async def test_a_stop_does_not_wait_for_the_outbox_and_the_next_start_sends_the_rest(bot: Bot) -> None:
    officer = bot.officer(1001)
    villagers = [await bot.registered(5120 + i) for i in range(3)]
    for villager in villagers:
        await villager.send(f"/request id_card_lost 身份证丢了（{villager.id}）", settle=False)
    await bot.until(lambda: len(bot.requests()) == 3, what="three requests")
    # the first card is out, the others wait their turn. Which one is first depends on which of the
    # three turns committed first (on PostgreSQL they run at once), not on the request numbers.
    titles = [bot.say("card.title", urgent="", number=n) for n in (1, 2, 3)]
    await bot.until(lambda: any((m.text or "").split("\n", 1)[0].endswith(t) for m in officer.messages for t in titles))

    stopping = time.monotonic()
    await bot.stop()
    assert time.monotonic() - stopping < 2.0  # not the whole queue at one a second
    sent = {n for n in (1, 2, 3) if card_row(bot, officer.id, n).status == "sent"}
    waiting = [card_row(bot, officer.id, n) for n in (1, 2, 3) if n not in sent]
    assert waiting, "the stop came too late to leave anything for the next start"
    assert all(r.status == "pending" and r.attempts == 0 and r.next_attempt_at <= utcnow() for r in waiting)

    await bot.start()
    for number in (1, 2, 3):
        await bot.cards_for(officer, number)
    await asyncio.sleep(0.3)
    for number in (1, 2, 3):
        assert len(await bot.cards_for(officer, number)) == 1


async def test_a_redelivered_update_creates_nothing_twice(bot: Bot) -> None:
    villager = await bot.registered(5102)
    officer = bot.officer(1001)
    first = await villager.send(NEWBORN)
    again = await bot.api.inject_update(first.update)  # the same update_id, e.g. after a crash
    assert again.update_id == first.update_id
    assert first.texts == [bot.say("request.created", number=1, officer=OFFICERS[1001])]
    assert again.texts == []
    [card] = await bot.cards_for(officer, 1)
    await asyncio.sleep(0.2)
    assert len(bot.requests()) == 1 and len(await bot.cards_for(officer, 1)) == 1
    assert villager.replies.count(first.texts[0]) == 1

    # a button press delivered twice: accepted once, the villager told once, no error shown
    pressed = await officer.press(bot.say("button.accept"), message=card)
    twice = await bot.api.inject_update(pressed.update)
    assert pressed.texts == [bot.say("officer.accepted", number=1)]
    assert twice.texts == []
    await bot.until(lambda: bot.say("notify.accepted", number=1, officer=OFFICERS[1001]) in villager.replies)
    await asyncio.sleep(0.2)
    assert villager.replies.count(bot.say("notify.accepted", number=1, officer=OFFICERS[1001])) == 1
    assert bot.events(1) == ["created", "accepted"]


async def test_a_flood_limit_is_waited_out(bot: Bot) -> None:
    """429 with retry_after, on the villager's reply and on the officer's card at once: each is sent
    again after the wait, exactly once."""
    villager = await bot.registered(5103)
    officer = bot.officer(1001)
    bot.api.fail_next("sendMessage", retry_after=1, chat_id=villager.id)
    bot.api.fail_next("sendMessage", retry_after=1, chat_id=officer.id)
    opened = await villager.send(NEWBORN)
    assert opened.texts == [bot.say("request.created", number=1, officer=OFFICERS[1001])]
    to_villager = sends_to(bot, villager.id, 1)
    assert [c.status for c in to_villager] == [429, 200] and to_villager[1].at - to_villager[0].at >= 1.0

    [card] = await bot.cards_for(officer, 1, count=1)
    calls = sends_to(bot, officer.id, 1)
    assert [c.status for c in calls] == [429, 200]
    assert card.sent_at - calls[0].at >= 1.0  # Telegram's wait was honoured
    await asyncio.sleep(0.3)
    assert len(await bot.cards_for(officer, 1)) == 1 and villager.replies.count(opened.texts[0]) == 1
    row = card_row(bot, officer.id, 1)
    assert (row.status, row.attempts) == ("sent", 2)


async def test_a_user_who_blocked_the_bot_is_marked_and_skipped(bot: Bot) -> None:
    villager = await bot.registered(5104)
    officer = bot.officer(1001)
    await villager.send(NEWBORN)
    await bot.cards_for(officer, 1)
    bot.api.block(villager.id)

    assert (await officer.send("/reply 1 请明天来派出所")).texts == [bot.say("officer.relayed", number=1)]
    await bot.until(lambda: bot.citizen(villager.id).blocked, what="the villager marked blocked")
    assert [c.status for c in sends_to(bot, villager.id)][-1] == 403

    assert (await officer.send("/done 1")).texts == [bot.say("officer.done", number=1)]
    await asyncio.sleep(0.3)
    assert [c.status for c in sends_to(bot, villager.id)].count(403) == 1  # not tried again
    assert bot.request(1).status == "done"

    # writing again unblocks
    bot.api.unblock(villager.id)
    assert (await villager.send("/myrequests")).texts[0].startswith(bot.say("myrequests.header"))
    assert not bot.citizen(villager.id).blocked


async def test_the_token_never_appears_in_the_logs(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await bot.restart()  # built and started while everything is logged
    villager = await bot.registered(5105)
    bot.api.fail_next("sendMessage", status=502, chat_id=villager.id)
    bot.api.fail_next("getUpdates", disconnect=True)
    await villager.send(NEWBORN)
    await bot.cards_for(bot.officer(1001), 1)
    assert villager.replies[-1] == bot.say("request.created", number=1, officer=OFFICERS[1001])

    secret = bot.api.token.split(":", 1)[1]
    requests = [r for r in caplog.records if r.name == "bot.channels.telegram.transport"]
    assert any("sendMessage" in r.getMessage() for r in requests), "the HTTP requests were not logged"
    assert any(r.levelno >= logging.WARNING for r in caplog.records), "the failures were not logged"
    leaks = [f"{r.name}: {r.getMessage()[:200]}" for r in caplog.records if secret in r.getMessage()]
    assert leaks == [] and secret not in caplog.text
