"""Who may do what: officers only on their villages' requests, admins only for admin commands, villagers
only their own requests. Every refusal is polite and logged; two officers at once: one wins."""

from __future__ import annotations

import asyncio
import logging

import pytest

from .conftest import ADMIN, BAISHUI, OFFICERS, Bot

NEWBORN = "/request hukou_newborn 孩子上个月出生，想上户口"


async def test_a_villager_cannot_use_officer_commands(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    villager = await bot.registered(5301)
    await villager.send(NEWBORN)
    for command in ("/accept 1", "/done 1", "/reply 1 你好", "/queue"):
        assert (await villager.send(command)).texts == [bot.say("officer.only")], command
    assert bot.request(1).status == "open" and bot.events(1) == ["created"]
    assert any("refused" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


async def test_an_officer_of_another_village_is_refused(bot: Bot) -> None:
    villager = await bot.registered(5302)
    await villager.send(NEWBORN)
    await bot.cards_for(bot.officer(1001), 1)
    stranger = bot.officer(1003)  # 白水镇: not QS001
    for command in ("/accept 1", "/done 1", "/reply 1 你好"):
        assert (await stranger.send(command)).texts == [bot.say("officer.not_yours", number=1)], command
    # nor at the duty desk of their own town: a desk acts for its town only
    other_desk = bot.desk(BAISHUI)
    assert (await stranger.send("/accept 1", chat=other_desk)).texts == [bot.say("officer.not_yours", number=1)]
    assert (await stranger.send("/queue")).texts == [bot.say("officer.queue_empty")]  # #1 is not in theirs
    missing = bot.say("error.not_found", what=bot.say("what.request", number=99))
    assert (await stranger.send("/accept 99")).texts == [missing]
    assert bot.request(1).status == "open" and bot.events(1) == ["created"]
    assert not [t for t in villager.replies if str(OFFICERS[1003]) in t]


async def test_only_admins_reload_the_faq(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    assert (await bot.villager(5303).send("/reload")).texts == [bot.say("admin.only")]
    assert (await bot.officer(1001).send("/reload")).texts == [bot.say("admin.only")]
    assert any("reload" in r.getMessage() and "refused" in r.getMessage() for r in caplog.records)
    done = await bot.villager(ADMIN, "管理员").send("/reload")
    assert done.texts == [bot.say("admin.reloaded", count=len(bot.faq.intents))]


async def test_a_villager_sees_only_their_own_requests(bot: Bot) -> None:
    alice = await bot.registered(5304)
    bob = await bot.registered(5305)
    await alice.send(NEWBORN)
    assert (await bob.send("/myrequests")).texts == [bot.say("myrequests.none")]
    assert "#1" in (await alice.send("/myrequests")).texts[0]


async def test_a_non_officer_in_the_desk_group_is_refused(bot: Bot) -> None:
    villager = await bot.registered(5306, "QS004")
    await villager.send("/request id_card_lost 身份证丢了")
    desk = bot.desk()
    [card] = await bot.cards_for(desk, 1)
    clerk = bot.villager(5399, "群成员")
    assert (await clerk.press(bot.say("button.accept"), message=card, chat=desk)).texts == [bot.say("officer.only")]
    relayed = await clerk.reply_to(card, "我来处理", chat=desk)
    assert relayed.texts == [bot.say("officer.only")]
    assert bot.request(1).status == "open"


async def test_two_officers_accepting_at_once_one_wins(bot: Bot) -> None:
    """The village officer presses Accept in private while a colleague types /accept at the town's desk,
    both in the same poll: the bot handles the two at once, and the database lets exactly one win."""
    desk = bot.desk()
    first, second = bot.officer(1001), bot.officer(1002)
    rounds = 5
    villagers = [await bot.registered(5310 + i) for i in range(rounds)]
    for villager in villagers:
        await villager.send(NEWBORN)
    cards = [(await bot.cards_for(first, n))[0] for n in range(1, rounds + 1)]
    for number, card in enumerate(cards, start=1):
        await first.press(bot.say("button.accept"), message=card, settle=False)
        await second.send(f"/accept {number}", chat=desk, settle=False)
    await bot.api.settle()

    for number, villager in enumerate(villagers, start=1):
        won = bot.say("officer.accepted", number=number)
        in_private, at_desk = won in first.replies, won in desk.replies
        assert in_private != at_desk, f"#{number}: accepted in private {in_private}, at the desk {at_desk}"
        winner = bot.officer_of(number)
        assert winner == (1001 if in_private else 1002)
        lost = bot.say("officer.taken", number=number, officer=OFFICERS[winner])
        assert lost in (desk.replies if in_private else first.replies)
        assert bot.request(number).status == "accepted" and bot.events(number).count("accepted") == 1
        notice = bot.say("notify.accepted", number=number, officer=OFFICERS[winner])
        await bot.until(lambda v=villager, n=notice: n in v.replies)
    await asyncio.sleep(0.2)
    assert all(
        v.replies.count(bot.say("notify.accepted", number=n, officer=OFFICERS[bot.officer_of(n)])) == 1
        for n, v in enumerate(villagers, start=1)
    )
