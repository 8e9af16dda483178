"""A guard in village groups: linked by the village's officer from inside the group, the bot warns
the group about a post that is surely a scam, replying to it, and says nothing else there."""

from __future__ import annotations

import pytest

from bot.core import guard
from bot.store import linked_groups
from tests.fakes import FakeChat

from .conftest import ADMIN, Bot

GROUP = -1009000000101
SCAM_POST = "【民政局】受灾群众救助金已下拨，每人5000元，请添加专员QQ申领，需交200元工本费"


def private_link(bot: Bot) -> dict[str, str]:
    return {"text": bot.say("button.private_chat"), "url": f"https://t.me/{bot.api.bot_user['username']}"}


def linked(bot: Bot, chat_id: int = GROUP) -> str | None:
    with bot.db() as session:
        link = linked_groups.get(session, chat_id)
        return link.title if link else None


async def added_and_linked(bot: Bot, chat_id: int = GROUP) -> FakeChat:
    group = bot.api.group(chat_id, "青山村村民群", member=False)
    await group.add_bot(bot.villager(5101, "村支书"), admin=True)
    said = await bot.officer(1001).send("/linkgroup QS001", chat=group)
    assert said.texts == [bot.say("group.linked", village="青山村")]
    return group


async def test_added_the_bot_says_how_to_link_and_only_the_villages_officer_links(bot: Bot):
    group = bot.api.group(GROUP, "青山村村民群", member=False)
    added = await group.add_bot(bot.villager(5101, "村支书"), admin=True)
    assert added.texts == [bot.say("group.joined")]
    assert "/linkgroup" in added.texts[0]
    # an officer of another village, and a villager: the polite refusal
    for person in (bot.officer(1003), bot.villager(5102, "村民")):
        refused = await person.send("/linkgroup QS001", chat=group)
        assert refused.texts == [bot.say("group.link_not_allowed")]
    assert linked(bot) is None
    unknown = await bot.officer(1001).send("/linkgroup ZZ999", chat=group)
    assert unknown.texts == [bot.say("group.unknown_village", code="ZZ999")]
    done = await bot.officer(1001).send("/linkgroup qs001", chat=group)
    assert done.texts == [bot.say("group.linked", village="青山村")]
    assert linked(bot) == "青山村村民群"  # the group's title, from Telegram: nobody typed an id


async def test_a_scam_post_is_answered_once_replying_to_it_and_small_talk_never(bot: Bot):
    group = await added_and_linked(bot)
    neighbour = bot.villager(5102, "邻居")
    post = await neighbour.send(SCAM_POST, chat=group)
    assert len(post.replies) == 1
    warning = post.replies[0]
    assert warning.reply_parameters is not None and warning.reply_parameters["message_id"] == post.message_id
    lines = warning.text.split("\n")
    assert len(lines) <= 2 and lines[1] == bot.say("guard.advice")
    assert warning.inline_keyboard == [[private_link(bot)]]
    # the same update again (a redelivery): not answered twice
    again = await bot.api.inject_update(post.update)
    assert again.replies == []
    for text in ("明天上午九点在村委会开村民大会，每户来一人", "谢谢大伯的红包！祝大伯新年快乐",
                 "今天镇上猪肉涨到十六块一斤了",
                 "【反诈提醒】公检法机关不会通过电话办案，更没有安全账户，凡是要求转账到安全账户的都是诈骗",
                 "我二姨前几天被骗了三万，说是什么投资老师带着炒股",
                 "有人说领补贴要交手续费，我觉得不对劲就没交"):  # the last: suspicious, not said in a group
        chatter = await neighbour.send(text, chat=group)
        assert chatter.replies == [], text


async def test_an_unlinked_group_stays_silent_and_removing_the_bot_unlinks(bot: Bot):
    other = bot.api.group(GROUP - 1, "别的群", member=False)
    await other.add_bot(bot.villager(5101, "村支书"), admin=True)
    silent = await bot.villager(5102).send(SCAM_POST, chat=other)
    assert silent.replies == []
    group = await added_and_linked(bot)
    removed = await group.remove_bot(bot.villager(5101, "村支书"))
    assert removed.replies == []
    assert linked(bot) is None


async def test_unlinkgroup_in_the_group_by_its_officer(bot: Bot):
    group = await added_and_linked(bot)
    refused = await bot.officer(1003).send("/unlinkgroup", chat=group)
    assert refused.texts == [bot.say("group.link_not_allowed")]
    done = await bot.officer(1001).send("/unlinkgroup", chat=group)
    assert done.texts == [bot.say("group.unlinked", village="青山村")]
    assert linked(bot) is None
    quiet = await bot.villager(5102).send(SCAM_POST, chat=group)
    assert quiet.replies == []
    again = await bot.officer(1001).send("/unlinkgroup", chat=group)
    assert again.texts == [bot.say("group.not_linked")]


async def test_admins_list_linked_groups_and_unlink_with_a_button(bot: Bot):
    await added_and_linked(bot)
    admin = bot.api.user(ADMIN, "管理员", "zh")
    officer = await bot.officer(1001).send("/groups")
    assert officer.texts == [bot.say("group.admins_only")]
    listed = await admin.send("/groups")
    assert listed.texts[0].startswith(bot.say("group.list_head", count=1))
    assert "青山村村民群 — QS001 青山村" in listed.texts[0]
    label = bot.say("button.unlink", title="青山村村民群")
    assert listed.replies[0].button_data[label] == f"unlink:{GROUP}"
    query = {"id": "forged-1", "from": admin.user_dict, "message": listed.replies[0].raw, "chat_instance": "1",
             "data": "unlink:-100abc"}
    bot.api._open_queries["forged-1"] = query
    forged = await bot.api.inject_update({"callback_query": query})
    assert forged.texts == [bot.say("group.unlink_unknown")]
    assert linked(bot) == "青山村村民群"
    pressed = await admin.press(label)
    assert pressed.texts == [bot.say("group.unlinked_by_admin")]
    assert linked(bot) is None
    stale = await admin.press(label, message=listed.replies[0])
    assert stale.texts == [bot.say("group.unlink_unknown")]


def test_at_most_twenty_warnings_a_minute_to_a_group_and_over_it_skipped_not_queued():
    now = [0.0]
    budget = guard.Budget(clock=lambda: now[0])
    assert [budget.take(-1) for _ in range(21)] == [True] * 20 + [False]
    assert budget.take(-2)  # another group has its own minute
    now[0] = 59.9
    assert not budget.take(-1)
    now[0] = 60.0
    assert budget.take(-1)


@pytest.mark.parametrize("kind", ["group", "supergroup"])
async def test_several_members_chat_and_only_the_scams_get_a_warning_forward_and_caption_too(bot: Bot, kind: str):
    chat_id = -4009000000102 if kind == "group" else -1009000000102
    group = bot.api.group(chat_id, "青山村乡亲群", type=kind, member=False)
    if kind == "group":
        bot.api.privacy_mode = False  # BotFather's /setprivacy Disable: the bot reads a group it is no admin of
    await group.add_bot(bot.villager(5101, "村支书"), admin=kind == "supergroup")
    assert (await bot.officer(1001).send("/linkgroup QS001", chat=group)).texts == [
        bot.say("group.linked", village="青山村")]
    aunt, uncle, cousin = bot.villager(5111, "王婶"), bot.villager(5112, "李叔"), bot.villager(5113, "小张")
    quiet = [
        (aunt, "今年新米三块五一斤，要的说一声，我送上门"),
        (uncle, "民警提醒：有人让你开屏幕共享的，马上挂电话，打96110问问"),
        (cousin, "有人打电话说我的医保卡要年审，让我点链接，我直接挂了"),
        (aunt, "谢谢村长的红包，新年快乐"),
        (uncle, "本周六村卫生室免费量血压，带上身份证"),
    ]
    for person, text in quiet:
        assert (await person.send(text, chat=group)).replies == [], text
    # a forward of a scam post into the group, and a photo whose caption is one: each answered once
    forwarded = await cousin._post({"text": "兼职刷单，给网店拍单冲销量，每单返佣百分之十，本金秒返，名额有限",
                                    "forward_origin": {"type": "hidden_user", "date": 1_700_000_000,
                                                       "sender_user_name": "兼职群"}}, group, True)
    caption = "【人社局】养老补贴开始发放，每人2000元，扫码添加工作人员微信，提供身份证和银行卡号"
    captioned = await uncle.send_photo(caption, chat=group)
    for post in (forwarded, captioned):
        [warning] = post.replies
        assert warning.reply_parameters is not None and warning.reply_parameters["message_id"] == post.message_id
        assert len(warning.text.split("\n")) <= 2 and warning.inline_keyboard == [[private_link(bot)]]
    # nothing personal: no member's name or the village officer's phone in anything said there
    said = " ".join(group.replies)
    assert group.unseen == []  # every message reached the bot: the silence above was its decision
    assert not any(name in said for name in ("王婶", "李叔", "小张", "王示例", "13800000001"))
