"""Small things villagers meet: how a village code may be typed, the dates they are shown, /help."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from bot.store.models import Request


def registered(world, reply_text: str) -> bool:
    welcome = world.faq.message("welcome.village", "zh", village="青山村", town="青山镇（示例）", officer="王示例")
    return reply_text == welcome


@pytest.mark.parametrize("code", ["ＱＳ００１", " qs001 ", "Qs001", "ｑｓ００１"])
def test_a_code_typed_full_width_or_with_spaces_registers_the_village(world, code):
    alice = world.person(5)
    assert registered(world, alice.send(f"/start {code}")[-1].text)
    bob = world.person(6)
    assert registered(world, bob.send(f"/village {code}")[-1].text)
    carol = world.person(7)
    carol.send("/start")
    assert registered(world, carol.send(code)[-1].text)  # typed when asked for the village


def test_a_chinese_input_methods_space_after_the_command_is_a_space(world):
    alice = world.person(5)
    assert registered(world, alice.send("/start\u3000ＱＳ００１")[-1].text)


@pytest.mark.parametrize(("offset", "day"), [("8", "2026-03-02"), ("0", "2026-03-01")])
def test_my_requests_show_the_stations_day(make_world, offset, day):
    """A request made at 20:00 UTC on 1 March was made on 2 March at a station at UTC+8."""
    world = make_world(CUNJING_APP__UTC_OFFSET_HOURS=offset)
    alice = world.person(5)
    alice.send("/start QS001")
    alice.send("/request id_card_lost 身份证在集市上丢了")
    with world.services.db.begin() as session:
        session.execute(update(Request).values(created_at=datetime(2026, 3, 1, 20, 0, tzinfo=UTC)))
    (shown,) = alice.send("/myrequests")
    title, status = world.faq["service.id_card_lost"].title.zh, world.faq.message("status.open", "zh")
    line = world.faq.message("myrequests.line", "zh", number=1, kind=title, status=status, date=day)
    assert shown.text.splitlines()[1:] == [line]


def commands_in(text: str) -> list[str]:
    return [line.split()[0] for line in text.splitlines() if line.startswith("/")]


@pytest.mark.parametrize(
    ("user_id", "admins"),
    [(7, "[9000]"), (1001, "[9000]"), (9000, "[9000]"), (1001, "[1001]")],
    ids=["villager", "officer", "admin", "officer and admin"],
)
def test_help_lists_each_command_once(make_world, user_id, admins):
    world = make_world(CUNJING_TELEGRAM__ADMINS=admins)
    person = world.person(user_id)
    for lang in ("zh", "en"):
        person.send(f"/lang {lang}")
        (shown,) = person.send("/help")
        listed = commands_in(shown.text)
        assert "/start" in listed and "/myrequests" in listed
        assert len(listed) == len(set(listed)), shown.text


def test_an_officer_who_is_an_admin_sees_the_wider_alert(make_world):
    world = make_world(CUNJING_TELEGRAM__ADMINS="[1001]")
    officer = world.person(1001)
    (shown,) = officer.send("/help")
    (alert,) = [line for line in shown.text.splitlines() if line.startswith("/alert ")]
    assert alert in world.faq.message("help.admin", "zh").splitlines()


def test_a_villagers_help_is_short(world):
    villager = world.person(7)
    villager.send("/start QS001")
    (shown,) = villager.send("/help")
    assert len(shown.text) < 300
    assert world.faq.message("help.commands", "zh") in shown.text
    assert world.faq["chat.help"].answer.zh not in shown.text  # the long answer is for "what can you do?"
