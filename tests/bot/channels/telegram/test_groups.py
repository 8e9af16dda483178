"""Group chats: nothing about a villager is ever said in a group, and a message in a group never
moves a villager's private chat there. Groups as Telegram has them: group and supergroup chats,
people who write both there and privately, the bot added with `my_chat_member`, privacy mode."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from bot.store import links, requests, station
from bot.store.models import Citizen
from tests.bot.core.alert_helpers import add_villagers
from tests.fakes import FakeChat, FakeUser

from .conftest import DESKS, OFFICERS, QINGSHAN, Bot

VILLAGE_GROUP = -1009000000001


def village_group(bot: Bot, kind: str = "supergroup") -> FakeChat:
    return bot.api.group(VILLAGE_GROUP, "青山村村民群", type=kind)


def private_link(bot: Bot) -> dict[str, str]:
    """The button that opens the bot's private chat, as a URL button."""
    return {"text": bot.say("button.private_chat"), "url": f"https://t.me/{bot.api.bot_user['username']}"}


def nothing_personal(bot: Bot, chat: FakeChat, *words: str) -> None:
    for message in bot.api.messages_to(chat.id):
        for word in words:
            assert word not in (message.text or ""), f"{word!r} said in the group: {message.text!r}"


async def opened_request(bot: Bot, villager: FakeUser) -> int:
    await villager.send("/request id_card_lost 身份证在集市上丢了，想补办 电话13912345678")
    number = bot.requests()[-1].id
    await bot.cards_for(bot.officer(1001), number)
    return number


@pytest.mark.parametrize("kind", ["group", "supergroup"])
async def test_commands_in_a_group_keep_the_villagers_private_chat_and_say_nothing_personal(bot: Bot, kind: str):
    group = village_group(bot, kind)
    villager = await bot.registered(5001)
    number = await opened_request(bot, villager)

    # the same villager, in the village group: every command about themselves is sent to the private chat
    for command in ("/help", "/officer", "/myrequests", "/request id_card_lost 丢了", "/village QS002", "/lang en",
                    "/alerts off", "/start QS002", "/cancel"):
        said = await villager.send(command, chat=group)
        if command == "/help":
            assert said.texts == [bot.say("group.help")]
        else:
            assert said.texts == [bot.say("group.private_only")], command
        assert said.replies[-1].inline_keyboard == [[private_link(bot)]]
    citizen = bot.citizen(5001)
    assert citizen.chat_id == 5001 and citizen.lang == "zh" and citizen.alerts_opt_in
    assert len(bot.requests()) == 1

    # the officer's answer reaches the villager's private chat, not the group
    officer = bot.officer(1001)
    await officer.send(f"/reply {number} 请带户口本来派出所")
    await bot.until(lambda: any("请带户口本来派出所" in t for t in villager.replies), what="the relayed reply")
    nothing_personal(bot, group, f"#{number}", "户口本", "13912345678", "村民5001", "青山村")
    # and /myrequests privately still works
    mine = await villager.send("/myrequests")
    assert f"#{number}" in mine.texts[0]


async def test_an_alert_reaches_each_villagers_private_chat_once_and_never_the_group(bot: Bot):
    group = village_group(bot)
    add_villagers(bot.db, "QS001", [5001, 5002])
    people = [bot.villager(uid, f"村民{uid}") for uid in (5001, 5002)]
    for person in people:
        await person.send("/help", chat=group)
    officer = bot.officer(1001)
    await officer.send("/alert QS001 有人冒充公安要求转账")
    await officer.press(bot.say("button.alert_confirm"))
    words = bot.say("alert.villager", text="有人冒充公安要求转账")
    await bot.until(lambda: all(words in p.replies for p in people), what="the alert in both private chats")
    assert [p.replies.count(words) for p in people] == [1, 1]
    nothing_personal(bot, group, words)


async def test_the_bot_added_to_a_group_greets_it_and_hears_only_what_is_meant_for_it(bot: Bot):
    group = bot.api.group(-1009000000002, "白水村大家庭", member=False)
    cadre = bot.villager(5101, "村支书")
    added = await group.add_bot(cadre)
    assert added.texts == [bot.say("group.joined")]
    assert added.replies[0].inline_keyboard == [[private_link(bot)]]  # the @name Telegram gave at start
    with bot.db() as session:
        assert station.recall(session, station.BOT_USERNAME) == bot.api.bot_user["username"]  # for posters
    # privacy mode: the group's own chatter never reaches the bot, and gets no answer
    chatter = await cadre.send("明天上午村委会开会，大家准时到", chat=group)
    assert chatter.calls == [] and group.unseen
    # replying to the bot's message is addressed to it: personal matters go private
    answered = await cadre.reply_to(added.replies[0], "我家户口本丢了", chat=group)
    assert answered.texts == [bot.say("group.private_only")]
    assert bot.requests() == []
    # removed: the bot says nothing (it cannot), and the cadre's chat is still their private one
    removed = await group.remove_bot(cadre)
    assert removed.calls == [] or all(not c.ok for c in removed.calls)
    assert bot.citizen(5101).chat_id == 5101


async def test_check_as_a_reply_in_a_group_judges_the_message_without_anything_personal(bot: Bot):
    group = village_group(bot)
    villager = await bot.registered(5001)
    neighbour = bot.villager(5002, "邻居")
    scam = await neighbour.send("【社保局】您的医保卡已冻结，请点击 http://ybj-gx.top 解冻，并提供验证码", chat=group)
    group.admin = True  # as a group admin the bot reads every message (the post above reached it: no answer)
    judged = await villager.reply_to(scam, "/check", chat=group)
    assert judged.texts and judged.texts[0].startswith(bot.say("check.scam", risk=0)[:4])
    assert all(b.get("callback_data") != "report" for m in judged.replies for row in m.inline_keyboard for b in row)
    assert bot.citizen(5001).state is None  # nothing to report from the group: that is done privately


async def test_staff_commands_work_in_private_and_at_the_desk_never_in_a_village_group(bot: Bot):
    group = village_group(bot)
    villager = await bot.registered(5001)
    number = await opened_request(bot, villager)
    officer = bot.officer(1001)
    for command in ("/queue", f"/accept {number}", f"/done {number}", "/duty", "/report", "/alert QS001 注意"):
        said = await officer.send(command, chat=group)
        assert said.texts == [bot.say("group.private_only")], command
    assert bot.request(number).status == "open"
    nothing_personal(bot, group, f"#{number}", "13912345678")

    desk = bot.desk(QINGSHAN)
    queue = await officer.send("/queue", chat=desk)
    assert f"#{number}" in queue.texts[0]
    accepted = await officer.send(f"/accept {number}", chat=desk)
    assert accepted.texts == [bot.say("officer.accepted", number=number)]
    assert bot.request(number).officer_id is not None
    assert DESKS[QINGSHAN] == desk.id and OFFICERS[1001]


async def test_a_reply_in_a_group_to_a_message_about_a_request_is_never_relayed(bot: Bot):
    villager = await bot.registered(5001)
    number = await opened_request(bot, villager)
    group = village_group(bot)
    shown = await villager.send("/help", chat=group)
    # as a database written before this fix holds it: the group taken for the villager's chat, and a
    # message in the group standing for their request
    with bot.db.begin() as session:
        session.execute(update(Citizen).where(Citizen.user_id == 5001).values(chat_id=group.id))
        links.link_message(session, group.id, shown.replies[0].message_id, requests.ref(number))
    officer = bot.officer(1001)
    before = len(officer.messages)
    answered = await villager.reply_to(shown.replies[0], "我的身份证号是350301199001011234", chat=group)
    assert answered.texts == [bot.say("group.private_only")]
    await bot.api.settle()
    assert len(officer.messages) == before
    assert "relayed_to_officer" not in bot.events(number)


async def test_blocking_and_unblocking_the_bot_in_the_private_chat_is_remembered(bot: Bot):
    villager = await bot.registered(5001)
    await villager.block_bot()
    assert bot.citizen(5001).blocked
    await villager.unblock_bot()
    assert not bot.citizen(5001).blocked
