"""The core alone, as villagers and officers talk to it, on a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.store import citizens
from bot.store.types import utcnow


@pytest.fixture
def villager(world):
    person = world.person(7)
    person.send("/start QS001")
    return person


def labels(reply):
    return [b.label for row in reply.buttons for b in row]


def test_start_with_a_code_registers_the_village(world):
    alice = world.person(5)
    replies = alice.send("/start QS001")
    assert replies[0].text == world.faq.message("welcome", "zh")
    assert replies[1].text == world.faq.message(
        "welcome.village", "zh", village="青山村", town="青山镇（示例）", officer="王示例"
    )


def test_start_alone_asks_for_the_village_and_finds_it_by_name(world):
    alice = world.person(5)
    alice.send("/start")
    assert alice.last.text == world.faq.message("village.ask", "zh")
    alice.send("柳树湾")
    assert "李演示" in alice.last.text


def test_a_question_while_the_village_is_asked_for_is_answered_and_the_village_asked_again(world):
    alice = world.person(5)
    alice.send("/start ZZ999")  # a wrong code: the bot asks for the village
    replies = alice.send("有人冒充公安说我涉嫌洗钱 让我转钱到安全账户")
    assert world.faq["fraud.impersonate_police"].first("zh") in replies[0].text
    assert replies[-1].text == world.faq.message("village.ask_again", "zh")
    alice.send("柳树湾")  # still waiting for the village
    assert "李演示" in alice.last.text


def test_a_cry_for_help_while_the_village_is_asked_for_pages_the_officer_once_it_is_known(world):
    alice = world.person(5)
    alice.send("/start")
    replies = alice.send("我刚才被骗转了两万块 怎么办啊")
    assert replies[0].text == world.faq.message("urgent.lead", "zh")
    assert replies[1].text == world.faq.message("urgent.no_village", "zh")
    assert world.faq.message("village.ask_again", "zh") not in [r.text for r in replies]  # asked once
    replies = alice.send("柳树湾")
    assert "李演示" in replies[0].text
    assert replies[-1].text == world.faq.message("urgent.paged", "zh", number=1)
    (card,) = world.person(1002).inbox
    assert card.text.startswith(world.faq.message("card.urgent", "zh")) and "两万块" in card.text


def test_a_cry_for_help_hours_old_pages_nobody_when_the_village_comes(world):
    bob = world.person(6)
    bob.send("我刚被骗了 钱刚转过去")
    with world.services.db.begin() as session:  # two hours pass
        citizen = citizens.get_or_create(session, 6, 6)
        data = dict(citizen.state_data or {})
        data["at"] = (utcnow() - timedelta(hours=2)).isoformat()
        citizens.set_state(session, citizen, citizen.state, data)
    replies = bob.send("/start QS001")
    assert world.faq.message("urgent.paged", "zh", number=1) not in [r.text for r in replies]
    assert world.person(1001).inbox == []


def test_a_stranger_who_says_it_is_happening_now_is_told_what_to_do_and_asked_the_village(world):
    bob = world.person(6)  # never sent /start
    replies = bob.send("我刚被骗了 钱刚转过去")
    assert replies[0].text == world.faq.message("urgent.lead", "zh")
    assert replies[1].text == world.faq.message("urgent.no_village", "zh")
    bob.send("/start QS001")
    assert bob.last.text == world.faq.message("urgent.paged", "zh", number=1)
    assert len(world.person(1001).inbox) == 1


def test_a_request_before_the_village_is_known_asks_for_it_then_goes_on(world):
    alice = world.person(5)
    alice.send("孩子刚出生，怎么上户口")
    alice.press(world.faq.message("button.open_request", "zh"))
    assert alice.last.text == world.faq.message("village.ask_for_request", "zh")
    alice.send("/start ZZ999")  # a wrong code: still asked, the request still waiting
    replies = alice.send("柳树湾")
    assert "李演示" in replies[0].text
    title = world.faq["service.hukou_newborn"].title.zh
    assert [r.text for r in replies[1:]] == [
        world.faq.message("village.then_request", "zh", kind=title),
        world.faq.message("request.ask_details", "zh"),
    ]
    alice.send("孩子上个月在县医院出生")
    alice.send("13812345678")
    (card,) = world.person(1002).inbox
    assert "孩子上个月在县医院出生" in card.text


def test_a_name_that_is_no_village_and_no_question_is_said_plainly(world):
    alice = world.person(5)
    alice.send("/start")
    alice.send("火星村")
    assert alice.last.text == world.faq.message("village.not_found", "zh", text="火星村")


def test_an_unknown_code_is_said_plainly(world):
    replies = world.person(5).send("/start ZZ999")
    assert replies[-1].text == world.faq.message("error.unknown_village", "zh", code="ZZ999")


def test_a_question_gets_its_faq_answer(villager, world):
    villager.send("有人冒充公安说我涉嫌洗钱 让我转钱到安全账户")
    assert world.faq["fraud.impersonate_police"].first("zh") in villager.last.text


def test_an_english_question_gets_an_english_answer(villager, world):
    villager.send("A caller says he is from the police and I must move my savings to a safe account")
    assert villager.last.text.startswith(f"【{world.faq['fraud.impersonate_police'].title.en}】")


def test_not_sure_offers_three_suggestions_and_the_officer(villager, world):
    villager.send("明天县城的菜市场猪肉多少钱一斤")
    assert villager.last.text.startswith(world.faq.message("fallback", "zh"))
    assert len(labels(villager.last)) == 4 and labels(villager.last)[-1] == "问驻村民警"


def test_a_suggestion_button_answers_that_intent(villager, world):
    villager.send("明天县城的菜市场猪肉多少钱一斤")
    first = villager.last.buttons[0][0]
    villager.press(first.label)
    assert world.faq[first.data.removeprefix("faq:")].first("zh") in villager.last.text


def test_the_whole_request_loop_by_buttons(villager, world):
    officer = world.person(1001)
    villager.send("孩子刚出生怎么落户")
    assert {"请民警帮我办", "🔊 听一听"} <= set(labels(villager.last))
    villager.press("请民警帮我办")
    villager.send("女儿上个月在县医院出生，出生证明已经拿到")
    assert villager.last.text == world.faq.message("request.ask_phone", "zh")
    villager.send("138 1234 5678")
    confirmation = villager.last.text
    assert "#1" in confirmation and "王示例" in confirmation
    (card,) = officer.inbox
    assert "#1" in card.text and "女儿上个月在县医院出生" in card.text and "13812345678" in card.text
    assert labels(card) == ["接受", "要补充材料", "办结"]

    officer.press("接受")
    assert officer.last.text == world.faq.message("officer.accepted", "zh", number=1)
    assert villager.inbox[-1].text == world.faq.message("notify.accepted", "zh", number=1, officer="王示例")

    officer.press("要补充材料")
    officer.send("请把出生证明拍照发来")
    assert "请把出生证明拍照发来" in villager.inbox[-1].text
    villager.send("/myrequests")
    assert world.faq.message("status.waiting", "zh") in villager.last.text

    officer.send("/done 1")
    done, rate = world.faq.message("notify.done", "zh", number=1), world.faq.message("rating.ask", "zh", number=1)
    assert [m.text for m in villager.inbox[-2:]] == [done, rate]  # then the one-tap rating (supervision.py)


def test_a_request_in_one_message(villager, world):
    villager.send("/request id_card_lost 身份证在集市上丢了")
    assert "#1" in villager.last.text
    assert "身份证在集市上丢了" in world.person(1001).inbox[0].text


def test_request_arguments_are_checked(villager, world):
    villager.send("/request")
    assert villager.last.text.startswith("格式不对")
    villager.send("/request spaceship 去月球")
    assert "hukou_newborn" in villager.last.text


def test_a_request_needs_a_village(world):
    stranger = world.person(8)
    stranger.send("/request id_card_lost 丢了")
    assert stranger.last.text == world.faq.message("error.no_village", "zh")


def test_a_bad_phone_is_asked_again(villager, world):
    villager.send("/request id_card_lost")
    villager.send("丢在集市上了")
    villager.send("12345")
    assert villager.last.text == world.faq.message("request.bad_phone", "zh")
    villager.send("/cancel")
    assert villager.last.text == world.faq.message("cancelled", "zh")
    assert world.person(1001).inbox == []


def test_a_question_instead_of_the_phone_is_answered_and_the_phone_asked_again(villager, world):
    villager.send("/request id_card_lost")
    villager.send("丢在集市上了")
    replies = villager.send("身份证丢了去哪里补办")
    assert world.faq["service.id_card_lost"].first("zh") in replies[0].text
    assert replies[-1].text == world.faq.message("request.ask_phone_again", "zh")
    villager.send("13812345678")
    assert "#1" in villager.last.text
    assert len(world.person(1001).inbox) == 1


def test_details_that_say_it_is_happening_now_page_the_officer_at_once(villager, world):
    villager.send("/request contact_officer")
    replies = villager.send("我刚才被骗转了两万块 怎么办啊")
    assert replies[0].text == world.faq.message("urgent.lead", "zh")
    assert replies[1].text == world.faq.message("urgent.paged", "zh", number=1)
    (card,) = world.person(1001).inbox
    assert card.text.startswith(world.faq.message("card.urgent", "zh"))
    villager.send("13812345678")  # the request is no longer waiting for a phone: a plain message now
    assert len(world.person(1001).inbox) == 1


def test_a_village_without_officer_goes_to_the_duty_desk(world):
    bob = world.person(9)
    bob.send("/start QS004")
    bob.send("/request safety_hazard 村口的桥栏杆断了")
    assert "青山镇" in bob.last.text
    assert "村口的桥栏杆断了" in world.inbox.by_chat[-1000000000001][0].text


def test_happening_now_leads_with_what_to_do_and_pages_the_officer(villager, world):
    replies = villager.send("我刚才被骗转了两万块 怎么办啊")
    assert replies[0].text == world.faq.message("urgent.lead", "zh")
    assert replies[1].text == world.faq.message("urgent.paged", "zh", number=1)
    (card,) = world.person(1001).inbox
    assert card.text.startswith(world.faq.message("card.urgent", "zh"))


def test_officers_act_only_on_their_villages(villager, world):
    villager.send("/request id_card_lost 身份证丢了")
    other = world.person(1003)  # 赵测试, officer of 白水镇
    other.send("/accept 1")
    assert other.last.text == world.faq.message("officer.not_yours", "zh", number=1)
    villager.send("/accept 1")
    assert villager.last.text == world.faq.message("officer.only", "zh")


def test_only_admins_reload(world):
    stranger = world.person(5)
    stranger.send("/reload")
    assert stranger.last.text == world.faq.message("admin.only", "zh")
    admin = world.person(9000)
    admin.send("/reload")
    assert admin.last.text == world.faq.message("admin.reloaded", "zh", count=len(world.faq.intents))


def test_a_duplicate_update_changes_nothing_and_tells_the_same_answer(villager, world):
    # the channel drops an update Telegram sends twice; one that reaches the core again is a turn
    # whose reply was cut off (a kill): the answer kept with it, nothing done twice
    first = villager.send("/request id_card_lost 身份证丢了", update_id=77)
    again = villager.send("/request id_card_lost 身份证丢了", update_id=77)
    assert "#1" in first[0].text and again == first
    assert len(world.person(1001).inbox) == 1


def test_language_can_be_chosen(villager, world):
    villager.send("/lang")
    villager.press("English")
    assert villager.last.text == world.faq.message("lang.set", "en")
    villager.send("/help")
    assert "/request KIND TEXT" in villager.last.text


# a voice note gets big buttons and the officer's phone: tests/bot/channels/telegram/test_media.py
@pytest.mark.parametrize("kind", ["sticker", "location", "contact", "photo", "edited", "poll"])
def test_other_kinds_of_message_get_a_clear_reply(villager, world, kind):
    (reply,) = villager.sends(kind)
    key = "unsupported.other" if kind == "poll" else f"unsupported.{kind}"
    assert reply.text == world.faq.message(key, "zh")


@pytest.mark.parametrize("text", ["", "   ", "/nosuchthing", "/", "😀" * 500, "x" * 4096, "/accept abc"])
def test_odd_text_is_never_met_with_silence(villager, text):
    replies = villager.send(text)
    assert replies and all(r.text for r in replies)


def test_cancel_with_nothing_to_cancel(villager, world):
    assert villager.send("/cancel")[0].text == world.faq.message("nothing_to_cancel", "zh")


def test_officers_feed_the_kiosk_and_villagers_cannot(world, factory):
    from voice.alert_store import list_alerts

    villager = world.person(7)
    villager.send("/kiosk 假的")
    assert villager.last.text == world.faq.message("officer.only", "zh")
    officer = world.person(1001)
    officer.send("/kiosk 近期有人冒充医保局打电话说医保卡被冻结 都是诈骗")
    assert officer.last.text == world.faq.message("kiosk.added", "zh", days="7")
    with factory() as session:
        (alert,) = list_alerts(session)
    assert alert.text.startswith("近期有人冒充医保局") and alert.lang == "zh"
    officer.send("/kiosk")
    assert officer.last.text.startswith("格式不对")


def test_help_shows_officers_and_admins_their_commands(world):
    villager, officer, admin = world.person(7), world.person(1001), world.person(9000)
    officer_help, admin_help = world.faq.message("help.officer", "zh"), world.faq.message("help.admin", "zh")
    villager.send("/help")
    assert officer_help not in villager.last.text and admin_help not in villager.last.text
    officer.send("/help")
    assert officer_help in officer.last.text and admin_help not in officer.last.text
    admin.send("/help")
    assert admin_help in admin.last.text


def test_a_reload_that_fails_keeps_the_last_good_faq(make_world, tmp_path):
    import shutil

    from bot.settings import PROJECT_ROOT

    faq_dir = tmp_path / "faq"
    shutil.copytree(PROJECT_ROOT / "faq", faq_dir)
    world = make_world(CUNJING_FAQ__DIR=str(faq_dir))
    (faq_dir / "chat.yaml").write_text("intents: [\n", encoding="utf-8")  # broken on purpose
    admin = world.person(9000)
    admin.send("/reload")
    assert admin.last.text.startswith(world.faq.message("admin.reload_failed", "zh", problems="").strip())
    assert "chat.yaml" in admin.last.text
    admin.send("你好")
    assert world.faq["chat.greeting"].first("zh") in admin.last.text  # the previous FAQ still answers


def test_an_officers_kiosk_alert_is_what_the_kiosk_says_next(world, factory):
    from datetime import UTC, datetime

    from bot import localtime
    from bot.settings import PROJECT_ROOT
    from voice import alert_store
    from voice.alerts import AlertFeed
    from voice.playlist import load_playlist
    from voice.schedule import Schedule

    settings = world.services.settings
    playlist = load_playlist(PROJECT_ROOT / "faq", list(world.faq.intents))
    schedule = Schedule(settings.kiosk, playlist.warnings, localtime.zone(settings))
    read, spoken = alert_store.source(factory)
    feed = AlertFeed(read, poll_seconds=0, mark_spoken=spoken)
    now = datetime.now(tz=UTC)
    assert schedule.next(0.0, feed.active(now, 0.0)).alert is None  # only warnings so far
    world.person(1001).send("/kiosk 今晚有人冒充电力公司上门收费 都是骗子")
    item = schedule.next(1.0, feed.active(now, 1.0))
    assert item.alert is not None and item.text.startswith("今晚有人冒充电力公司")
