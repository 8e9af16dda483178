"""Telegram's flood wait holds for the whole bot: while the pacer keeps one (met by this worker's
outbox or alerts, or recorded by another worker in the send lease), direct replies wait too."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.pace import Pacer

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
