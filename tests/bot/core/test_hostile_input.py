"""What crashed the turn in the fuzz run of issue 12, each as a person would send it, on SQLite and
PostgreSQL: a NUL character, lone surrogates, digits that are not ASCII, numbers beyond any id."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.core import inputs, language
from bot.core.types import Incoming
from bot.store.models import Citizen
from bot.store.models_outreach import AskedQuestion

from .hostile import ADMIN


@pytest.fixture
def villager(world):
    person = world.person(7)
    person.send("/start QS001")
    return person


def test_a_nul_and_other_controls_are_dropped_and_the_question_answered(villager, world, factory):
    replies = villager.send("身份证\x00丢了\x1b[2J怎么\r\n补办\x85")
    assert world.faq["service.id_card_lost"].first("zh") in replies[0].text
    with factory() as session:
        asked = session.scalars(select(AskedQuestion.text)).all()
    assert asked == ["身份证丢了[2J怎么\n补办"]


def test_lone_surrogates_in_a_name_and_a_text_are_dropped(world, factory):
    stranger = world.person(8)
    replies = stranger._do(Incoming(8, 8, text="\ud800诈骗\udfff", name="王\ud83d小明\x00", lang_hint="zh"))
    assert replies and all(r.text for r in replies)
    with factory() as session:
        assert session.scalars(select(Citizen.name).where(Citizen.user_id == 8)).one() == "王小明"


def test_a_message_of_any_length_is_answered_as_its_first_4096_characters(villager, world, factory):
    replies = villager.send("身份证丢了怎么补办" + "啊" * 100_000)
    assert world.faq["service.id_card_lost"].first("zh") in replies[0].text
    with factory() as session:
        (asked,) = session.scalars(select(AskedQuestion.text)).all()
    assert len(asked) <= inputs.MAX_TEXT


@pytest.mark.parametrize("command", ["/done ①", "/accept ²", "/accept ٣", "/done 1e9", "/accept " + "9" * 40])
def test_digits_that_are_not_ascii_get_the_usage(world, command):
    officer = world.person(1001)
    name = command.split()[0][1:]
    usage = world.faq.message("usage.number", "zh", command=name)
    assert officer.send(command)[0].text == world.faq.message("error.bad_arguments", "zh", usage=usage)


def test_a_number_beyond_any_id_is_not_found(villager, world):
    villager.send("/request id_card_lost 身份证丢了")
    officer = world.person(1001)
    huge = "99999999999999999999"
    not_found = world.faq.message("error.not_found", "zh", what=world.faq.message("what.request", "zh", number=huge))
    assert officer.send(f"/reply {huge} 请来派出所")[0].text == not_found
    assert officer.send(f"/accept {huge}")[0].text == not_found
    (pressed,) = officer._do(Incoming(1001, 1001, button=f"acc:{huge}", kind="button"))
    assert pressed.text == not_found
    # the request itself is still there, by its number with or without `#`
    assert officer.send("/accept #1")[0].text == world.faq.message("officer.accepted", "zh", number=1)


def test_an_alert_button_beyond_any_id_is_not_found(world):
    admin = world.person(ADMIN)
    (pressed,) = admin._do(Incoming(ADMIN, ADMIN, button="alert:go:99999999999999999999", kind="button"))
    what = world.faq.message("alert.what", "zh", number=99999999999999999999)
    assert pressed.text == world.faq.message("error.not_found", "zh", what=what)
    (forged,) = admin._do(Incoming(ADMIN, ADMIN, button="alert:go:①", kind="button"))
    assert forged.text == world.faq.message("unsupported.other", "zh")


def test_numbers_are_ascii_digits_with_an_optional_hash():
    assert [inputs.number(w) for w in ("12", "#12", "0012", "0")] == [12, 12, 12, 0]
    assert [inputs.number(w) for w in ("①", "²", "٣", "१", "-1", "1.5", "12a", "#", "", "1" * 33)] == [None] * 10
    assert inputs.findable(inputs.MAX_ID) and not inputs.findable(inputs.MAX_ID + 1) and not inputs.findable(0)


def test_names_of_things_still_say_nothing_of_the_language():
    assert language.detect("hukou_newborn") is None and language.detect("example.com QS001") is None
    assert language.detect("see example.com now please") == "en"
    assert language.detect("wo bei pian le zen me ban") is None  # pinyin is Chinese, whatever its letters
