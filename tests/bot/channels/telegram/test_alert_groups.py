"""Alerts to a village's linked groups: the preview counts them, each group gets the alert once (the
alert alone, nothing meant for one person), and a group that removed the bot is unlinked."""

from __future__ import annotations

from sqlalchemy import select

from bot.store import linked_groups
from bot.store.models_outreach import AlertDelivery
from tests.fakes import FakeChat

from .conftest import Bot

GROUP, OTHER_GROUP = -1009000000201, -1009000000202
TEXT = "近期有人冒充客服说要退款，让扫码转账，都是诈骗"


async def linked_group(bot: Bot, chat_id: int, title: str) -> FakeChat:
    group = bot.api.group(chat_id, title, member=False)
    await group.add_bot(bot.villager(5501, "村支书"))
    assert (await bot.officer(1001).send("/linkgroup QS001", chat=group)).texts == [
        bot.say("group.linked", village="青山村")
    ]
    return group


def deliveries(bot: Bot) -> list[tuple[int, int | None, str]]:
    with bot.db() as session:
        rows = session.scalars(select(AlertDelivery).order_by(AlertDelivery.id))
        return [(r.chat_id, r.citizen_id, r.status) for r in rows]


async def test_an_alert_reaches_the_villages_linked_group_once_and_the_preview_counts_it(bot: Bot):
    group = await linked_group(bot, GROUP, "青山村村民群")
    villager = await bot.registered(5502)
    officer = bot.officer(1001)
    preview = await officer.send(f"/alert QS001 {TEXT}")
    assert preview.texts[0].endswith("\n" + bot.say("alert.preview_groups", groups=1))
    assert bot.say("alert.group", text=TEXT) in preview.texts  # what the group will see
    assert preview.texts[-1] == bot.say("alert.confirm_prompt", number=1, count=2)
    pressed = await officer.press(bot.say("button.alert_confirm"))
    assert pressed.texts[0] == bot.say("alert.confirmed", number=1, count=2)
    await bot.until(lambda: [s for _, _, s in deliveries(bot)] == ["sent", "sent"], what="both sent")
    assert bot.say("alert.villager", text=TEXT) in villager.replies
    in_group = [m.text for m in group.messages if m.text and TEXT in m.text]
    assert in_group == [bot.say("alert.group", text=TEXT)]  # once, and without "/alerts off"
    assert "/alerts" not in in_group[0]
    assert [(chat, citizen is None) for chat, citizen, _ in deliveries(bot)] == [
        (villager.id, False),
        (GROUP, True),
    ]


async def test_a_group_that_removed_the_bot_is_unlinked_when_an_alert_meets_it(bot: Bot):
    await linked_group(bot, GROUP, "青山村村民群")
    gone = await linked_group(bot, OTHER_GROUP, "青山村二组")
    gone.member = False  # removed while the bot was not listening: Telegram answers 403
    admin_like = bot.officer(1001)
    await admin_like.send(f"/alert QS001 {TEXT}")
    await admin_like.press(bot.say("button.alert_confirm"))
    await bot.until(lambda: {c: s for c, _, s in deliveries(bot)} == {GROUP: "sent", OTHER_GROUP: "blocked"},
                    what="one sent, one refused")
    with bot.db() as session:
        assert linked_groups.get(session, OTHER_GROUP) is None
        assert linked_groups.get(session, GROUP) is not None
