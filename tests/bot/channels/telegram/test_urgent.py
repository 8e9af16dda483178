"""Happening now: the reply leads with what to do this minute, the officer is paged at once, ahead of the queue."""

from __future__ import annotations

import time

from .conftest import Bot

SCAMMED = "我刚刚被骗转了五千块"


async def test_just_scammed_leads_with_what_to_do_and_pages_the_officer(bot: Bot) -> None:
    villager = await bot.registered(5501)
    officer, desk = bot.officer(1001), bot.desk()
    await villager.send("/request hukou_newborn 孩子上个月出生，想上户口")  # an ordinary request first: #1
    await bot.cards_for(officer, 1)

    sent_at = time.monotonic()
    urgent = await villager.send(SCAMMED)
    assert urgent.texts[0] == bot.say("urgent.lead")  # first: call 110, call the bank, keep the evidence
    assert urgent.texts[1] == bot.say("urgent.paged", number=2)
    assert len(urgent.texts) >= 2

    title = bot.say("card.title", urgent=bot.say("card.urgent"), number=2)
    card = await bot.until(lambda: next((m for m in officer.messages if (m.text or "").startswith(title)), None))
    assert time.monotonic() - sent_at < 2.0  # at once, not at the next round
    assert card.text is not None and SCAMMED in card.text  # the villager's own words
    assert card.buttons[0][0] == bot.say("button.accept")
    # the duty desk is alerted too: urgent does not wait for an escalation
    await bot.until(lambda: any((m.text or "").startswith(title) for m in desk.messages))
    assert bot.request(2).urgent and bot.request(2).kind == "fraud.already_scammed"

    queue = (await officer.send("/queue")).texts[0].splitlines()
    assert queue[1].startswith(f"#2 {bot.say('card.urgent')}") and queue[2].startswith("#1 ")  # ahead of the queue


async def test_the_urgent_page_carries_the_phone_given_before(bot: Bot) -> None:
    villager = await bot.registered(5502)
    await villager.send("/request id_card_lost")
    await villager.send("身份证丢了")
    await villager.send("13812345678")
    await villager.send("有人还在跟我打电话让我转钱")
    card = await bot.until(lambda: next((m for m in bot.officer(1001).messages if "#2" in (m.text or "")), None))
    assert "13812345678" in (card.text or "")
    assert bot.request(2).urgent


async def test_urgent_without_a_village_says_what_to_do_and_pages_once_the_village_is_known(bot: Bot) -> None:
    villager = bot.villager(5503, "陌生人")
    done = await villager.send(SCAMMED)
    assert done.texts[0] == bot.say("urgent.lead")
    assert bot.say("urgent.no_village") in done.texts
    assert bot.requests() == []
    done = await villager.send("/start QS001")
    assert done.texts[-1] == bot.say("urgent.paged", number=1)
    [request] = bot.requests()
    assert request.urgent and request.details == SCAMMED
    title = bot.say("card.title", urgent=bot.say("card.urgent"), number=1)
    await bot.until(lambda: any((m.text or "").startswith(title) for m in bot.officer(1001).messages))


async def test_urgent_in_english(bot: Bot) -> None:
    villager = await bot.registered(5504, "QS001", "en")
    done = await villager.send("I was scammed, I just transferred 5000 yuan to a stranger")
    assert done.texts[0] == bot.say("urgent.lead", "en")
    assert done.texts[1] == bot.say("urgent.paged", "en", number=1)
    title = bot.say("card.title", urgent=bot.say("card.urgent"), number=1)
    await bot.until(lambda: any((m.text or "").startswith(title) for m in bot.officer(1001).messages))
