"""A request nobody accepts in time goes to the town's duty desk, and the officer is reminded: once,
and across a restart (the deadline lives in the database)."""

from __future__ import annotations

import asyncio
import time

import pytest

from .conftest import OFFICERS, Bot

DEADLINE = 0.02  # minutes: 1.2 s
pytestmark = pytest.mark.bot_env(CUNJING_ROUTING__ACCEPT_WITHIN_MINUTES=str(DEADLINE))


async def test_an_unaccepted_request_is_escalated_once(bot: Bot) -> None:
    officer, desk = bot.officer(1001), bot.desk()
    late = await bot.registered(5201)
    quick = await bot.registered(5202)

    opened_at = time.monotonic()
    await late.send("/request hukou_newborn 孩子上个月出生，想上户口")
    await quick.send("/request id_card_lost 身份证丢了")
    await bot.cards_for(officer, 1)
    [card2] = await bot.cards_for(officer, 2)
    await officer.press(bot.say("button.accept"), message=card2)  # #2 is taken in time: never escalated
    assert bot.desk().messages == []

    notice = bot.say("escalation.desk", number=1, minutes=f"{DEADLINE:g}")
    await bot.until(lambda: notice in desk.replies, what="the desk notice")
    assert time.monotonic() - opened_at >= DEADLINE * 60  # not before the deadline
    [desk_card] = await bot.cards_for(desk, 1)
    assert desk_card.buttons == [[bot.say("button.accept"), bot.say("button.ask_details"), bot.say("button.done")]]
    reminder = bot.say("escalation.reminder", number=1)
    await bot.until(lambda: reminder in officer.replies, what="the officer's reminder")

    await asyncio.sleep(1.0)  # two more escalation rounds (every 0.5 s): nothing new
    assert desk.replies.count(notice) == 1 and officer.replies.count(reminder) == 1
    assert len(await bot.cards_for(desk, 1)) == 1
    assert not any("#2" in text for text in desk.replies)
    assert bot.events(1).count("escalated") == 1 and "escalated" not in bot.events(2)

    # the desk can act on the escalated card: an officer of the town takes it there
    taken = await bot.officer(1002).press(bot.say("button.accept"), message=desk_card, chat=desk)
    assert taken.texts == [bot.say("officer.accepted", number=1)]
    await bot.until(lambda: bot.say("notify.accepted", number=1, officer=OFFICERS[1002]) in late.replies)


async def test_a_deadline_that_passed_while_the_bot_was_down_is_caught_up(bot: Bot) -> None:
    villager = await bot.registered(5203, "QS003")
    await villager.send("/request id_card_lost 身份证丢了")
    await bot.cards_for(bot.officer(1002), 1)
    await bot.stop()
    await asyncio.sleep(DEADLINE * 60 + 0.2)  # the deadline passes with no bot running
    await bot.start()
    await bot.until(lambda: bot.say("escalation.desk", number=1, minutes=f"{DEADLINE:g}") in bot.desk().replies)
    await bot.cards_for(bot.desk(), 1)
    await bot.until(lambda: bot.say("escalation.reminder", number=1) in bot.officer(1002).replies)
    assert bot.events(1).count("escalated") == 1
