"""Telegram's flood wait: a 429 met sending to one chat (a group's 20 a minute) holds that chat
only, and everyone else is answered meanwhile; the whole bot's (several chats limited at once, or
recorded by another worker in the send lease) holds every sender, and direct replies wait too."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.pace import Pacer
from bot.core.types import Reply
from bot.store import outbox

from .conftest import Bot

pytestmark = pytest.mark.asyncio


async def test_a_reply_waits_out_the_flood_wait_the_pacer_keeps(bot: Bot) -> None:
    villager = await bot.registered(5001)
    pacer: Pacer = bot.app.bot_data["pacer"]
    loop = asyncio.get_running_loop()

    pacer.pause(1.5)  # a 429 with retry_after 1.5, met by another sender
    asked = loop.time()
    await villager.send("身份证丢了怎么补办")
    answer = villager.messages[-1]

    assert answer.sent_at - asked >= 1.4
    assert bot.api.count_429 == 0


async def test_a_groups_flood_wait_holds_up_only_the_group(bot: Bot) -> None:
    desk, officer = bot.desk(), bot.officer(1001)
    villager = await bot.registered(5002)
    pacer: Pacer = bot.app.bot_data["pacer"]
    bot.api.fail_next("sendMessage", retry_after=30, chat_id=desk.id)  # the group's per-minute limit

    with bot.db.begin() as session:
        outbox.enqueue(session, outbox.Outgoing("notice:desk", desk.id, outbox.payload(Reply("值班台通知"))))
    await bot.until(lambda: bot.api.count_429 == 1, what="the desk's 429")
    with bot.db.begin() as session:
        outbox.enqueue(session, outbox.Outgoing("notice:officer", officer.id, outbox.payload(Reply("民警通知"))))
    await villager.send("身份证丢了怎么补办")

    # within the desk's 30 s: the villager has their answer and the officer their note
    assert villager.messages[-1].summary == bot.faq["service.id_card_lost"].first("zh")
    await bot.until(lambda: "民警通知" in [m.text for m in officer.messages], what="the officer's note")
    assert [m.text for m in desk.messages] == []  # the desk's waits out its retry_after
    assert pacer.paused_until < pacer.clock()  # no pause for the whole bot
    [row] = [r for r in bot.outbox() if r.chat_id == desk.id]
    assert row.status == "pending" and row.attempts == 1
