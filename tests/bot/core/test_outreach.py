"""/alert and /alerts in the core: preview, confirm, cancel, who may alert whom, opt-out, languages."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.core.alerts_delivery import AlertEngine
from bot.core.types import Attachment, Incoming
from tests.bot.core.alert_helpers import Recorder, add_villagers, alert, deliver_all, deliveries

from .conftest import World

ADMIN, OFFICER, OTHER_OFFICER = 9000, 1001, 1003  # 1001 holds QS001 and QS002; 1003 holds BS001 and BS003
QINGSHAN = "青山镇（示例）"


def say(world: World, key: str, lang: str = "zh", **params: object) -> str:
    return world.faq.message(key, lang, **params)


def run(world: World, recorder: Recorder) -> AlertEngine:
    async def go() -> AlertEngine:
        engine = AlertEngine(world.services, recorder, recorder.show, progress_every=0)
        await deliver_all(engine)
        return engine

    return asyncio.run(go())


@pytest.fixture
def village(world: World) -> World:
    """QS001 with two Chinese and one English reader; QS003 (another officer's) with one."""
    add_villagers(world.services.db, "QS001", range(5001, 5003))
    add_villagers(world.services.db, "QS001", range(5003, 5004), lang="en")
    add_villagers(world.services.db, "QS003", range(5101, 5102))
    return world


def test_preview_then_confirm_reaches_each_villager_once_in_their_language(village: World) -> None:
    world, officer = village, village.person(OFFICER)
    replies = officer.send("/alert QS001 有人冒充公安要求转账，都是诈骗\n请告诉家里老人 --en Fake police ask for money")
    head, zh, en, ask = replies
    assert head.text == say(world, "alert.preview", number=1, scope="青山村 (QS001)", count=3, zh=2, en=1)
    assert zh.text == say(world, "alert.villager", text="有人冒充公安要求转账，都是诈骗\n请告诉家里老人")
    assert en.text == say(world, "alert.villager", "en", text="Fake police ask for money")
    assert ask.text == say(world, "alert.confirm_prompt", number=1, count=3)
    assert [b.label for b in ask.buttons[0]] == [say(world, "button.alert_confirm"), say(world, "button.alert_cancel")]
    assert alert(world.services, 1).status == "draft" and deliveries(world.services) == []

    assert officer.press(say(world, "button.alert_confirm"))[0].text == say(world, "alert.confirmed", number=1, count=3)
    assert alert(world.services, 1).status == "sending" and len(deliveries(world.services)) == 3
    recorder = Recorder()
    run(world, recorder)

    assert recorder.delivered() == {5001: 1, 5002: 1, 5003: 1}  # not 5101, of QS003
    texts = {chat: reply.text for chat, reply, _ in recorder.sends}
    assert texts[5001] == zh.text and texts[5003] == en.text
    done = alert(world.services, 1)
    assert (done.status, done.total, done.progress_message_id) == ("done", 3, 777)
    final = say(
        world,
        "alert.final",
        number=1,
        scope="青山村 (QS001)",
        sent=3,
        failed=0,
        blocked=0,
        total=3,
        took=say(world, "alert.time.s", s=0),
    )
    asyncio.run(world.dispatcher.drain())
    assert officer.inbox[-1].text == final
    assert recorder.shown[-1][0] == OFFICER and recorder.shown[-1][2].startswith("预警 #1 · 青山村 (QS001) · 已发完")

    assert officer.press(say(world, "button.alert_confirm"))[0].text == say(
        world, "alert.not_draft", number=1, status=say(world, "alert.status.done")
    )


def test_cancel_sends_nothing(village: World) -> None:
    world, officer = village, village.person(OFFICER)
    officer.send("/alert QS001 注意电信诈骗")
    assert officer.press(say(world, "button.alert_cancel"))[0].text == say(world, "alert.cancelled", number=1)
    assert alert(world.services, 1).status == "cancelled"
    assert officer.press(say(world, "button.alert_confirm"))[0].text == say(
        world, "alert.not_draft", number=1, status=say(world, "alert.status.cancelled")
    )
    assert deliveries(world.services) == []


def test_only_the_sender_confirms(village: World) -> None:
    world = village
    world.person(OFFICER).send("/alert QS001 注意电信诈骗")
    other = world.person(ADMIN)
    reply = other._do(Incoming(ADMIN, ADMIN, button="alert:go:1", kind="button"))
    assert reply[0].text == say(world, "alert.not_yours", number=1)
    assert alert(world.services, 1).status == "draft"


def test_who_may_alert_whom(village: World, caplog: pytest.LogCaptureFixture) -> None:
    world, officer = village, village.person(OFFICER)
    mine = "QS001 青山村, QS002 石桥村"
    caplog.set_level(logging.WARNING, logger="bot.core.outreach")
    assert officer.send("/alert QS003 注意")[0].text == say(
        world, "alert.not_your_village", scope="QS003", villages=mine
    )
    assert officer.send("/alert all 注意")[0].text == say(world, "alert.admin_scope", villages=mine)
    assert officer.send(f"/alert {QINGSHAN} 注意")[0].text == say(world, "alert.admin_scope", villages=mine)
    assert officer.send("/alert QS001")[0].text == say(world, "alert.empty", usage=say(world, "alert.usage"))
    assert officer.send("/alert XX999 注意")[0].text == say(world, "alert.unknown_scope", scope="XX999")
    villager = world.person(5001)
    assert villager.send("/alert QS001 注意")[0].text == say(world, "alert.not_allowed")
    refusals = [r.getMessage() for r in caplog.records if r.getMessage().startswith("refused")]
    assert len(refusals) == 5  # three scopes, the empty text and the villager

    admin = world.person(ADMIN)
    assert admin.send("/alert all 注意")[0].text.startswith(
        say(world, "alert.preview", number=1, scope=say(world, "alert.scope_all"), count=4, zh=3, en=1)
    )
    head = admin.send(f"/alert {QINGSHAN} beware of fake police")[0].text
    assert head == say(world, "alert.preview", number=2, scope=QINGSHAN, count=4, zh=3, en=1)
    assert alert(world.services, 2).text_en == "beware of fake police" and alert(world.services, 2).text_zh == ""
    assert world.person(OTHER_OFFICER).send("/alert BS001 注意")[0].text == say(
        world, "alert.no_recipients", scope="白水村 (BS001)"
    )


def test_opted_out_villagers_are_left_out(village: World) -> None:
    world = village
    villager = world.person(5002)
    assert villager.send("/alerts off")[0].text == say(world, "alert.opted_out")
    assert villager.send("/alerts")[0].text == say(world, "alert.state_off")
    officer = world.person(OFFICER)
    assert officer.send("/alert QS001 注意冒充客服退款")[0].text == say(
        world, "alert.preview", number=1, scope="青山村 (QS001)", count=2, zh=1, en=1
    )
    officer.press(say(world, "button.alert_confirm"))
    recorder = Recorder()
    run(world, recorder)
    assert recorder.delivered() == {5001: 1, 5003: 1}
    assert villager.send("/alerts on")[0].text == say(world, "alert.opted_in")
    assert villager.send("/alerts")[0].text == say(world, "alert.state_on")


def test_one_language_goes_to_everyone_and_a_photo_rides_along(village: World) -> None:
    world, officer = village, village.person(OFFICER)
    caption = "/alert QS001 近期有人冒充医保局打电话"
    photo = Incoming(OFFICER, OFFICER, text=caption, kind="photo", attachments=(Attachment("photo", "PHOTO-1"),))
    officer._do(photo)
    officer.press(say(world, "button.alert_confirm"))
    recorder = Recorder()
    run(world, recorder)
    sent = {chat: reply for chat, reply, _ in recorder.sends}
    assert sent[5003].text == say(world, "alert.villager", "en", text="近期有人冒充医保局打电话")  # English frame
    assert {reply.photo for reply in sent.values()} == {"PHOTO-1"}


def test_too_long_for_a_caption_is_refused(village: World) -> None:
    world, officer = village, village.person(OFFICER)
    long_text = "诈" * 1100
    photo = Incoming(
        OFFICER, OFFICER, text=f"/alert QS001 {long_text}", kind="photo", attachments=(Attachment("photo", "P"),)
    )
    reply = officer._do(photo)[0].text
    length = max(len(say(world, "alert.villager", lang, text=long_text)) for lang in ("zh", "en"))
    assert reply == say(world, "alert.too_long", length=length, limit=1024)
    assert officer.send(f"/alert QS001 {long_text}")[0].text.startswith("预警 #1 预览")  # fits one message
