"""Officers' village duty in the core, on a real database: /log (with a photo), /duty, reminders.

Demo roster: officer 1001 holds QS001 and QS002, 1002 holds QS003, 1003 holds BS001 and BS003,
1004 holds BS002. The station is UTC+8: times below are UTC, days are the station's."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from bot.core import duty as duty_core
from bot.core import periodic
from bot.core.duty_remind import remind_due
from bot.core.duty_rules import Compliance, Period, compliance, period_of, status
from bot.core.types import Attachment
from bot.store import duty as duty_store
from bot.store import outbox
from bot.store.models import Officer, Outbox
from bot.store.models_outreach import DutyLog

from .conftest import World

WANG, LI, ZHAO = 1001, 1002, 1003
WEDNESDAY = datetime(2024, 5, 15, 4, 0, tzinfo=UTC)  # noon on Wednesday 15 May in the station


def say(world: World, key: str, **params: object) -> str:
    return world.faq.message(key, "zh", **params)


def logs(world: World) -> list[DutyLog]:
    with world.services.db() as session:
        return list(session.scalars(select(DutyLog).order_by(DutyLog.id)))


@pytest.fixture
def clock(monkeypatch):
    """Set the time the duty commands see (and the time a log is stored with)."""

    def set_to(moment: datetime) -> None:
        monkeypatch.setattr(duty_core, "utcnow", lambda: moment)
        monkeypatch.setattr(duty_store, "utcnow", lambda: moment)

    set_to(WEDNESDAY)
    return set_to


# --- the calendar --------------------------------------------------------------------------


def test_weeks_months_and_quarters():
    assert period_of("contact", date(2024, 5, 15)) == Period(date(2024, 5, 13), date(2024, 5, 19))
    assert period_of("visit", date(2024, 2, 10)) == Period(date(2024, 2, 1), date(2024, 2, 29))
    assert period_of("deed", date(2024, 12, 31)) == Period(date(2024, 10, 1), date(2024, 12, 31))
    assert period_of("deed", date(2024, 4, 1)) == Period(date(2024, 4, 1), date(2024, 6, 30))


def test_a_duty_done_this_period_is_next_due_at_the_end_of_the_next():
    today = date(2024, 5, 15)
    assert status("contact", None, today).due == date(2024, 5, 19)
    assert status("contact", date(2024, 5, 12), today).done is False  # last week's does not count
    done = status("contact", date(2024, 5, 13), today)
    assert done.done and done.due == date(2024, 5, 26)
    assert status("deed", date(2024, 4, 2), today).due == date(2024, 9, 30)


def test_compliance_judges_ended_periods_held_in_full_and_never_counts_the_running_one_as_missed():
    always = Period(date(2024, 1, 1), date.max)
    today = date(2024, 5, 16)
    weeks = compliance("contact", [date(2024, 5, 2)], date(2024, 5, 1), date(2024, 5, 15), always, today)
    assert weeks == Compliance(judged=2, done=1)  # 29 Apr-5 May done, 6-12 May missed, 13-19 May running
    running_done = compliance("contact", [date(2024, 5, 14)], date(2024, 5, 1), date(2024, 5, 15), always, today)
    assert running_done == Compliance(judged=3, done=1)
    late = Period(date(2024, 5, 8), date.max)
    assert compliance("contact", [], date(2024, 5, 1), date(2024, 5, 15), late, today) == Compliance()


# --- /log ----------------------------------------------------------------------------------


def test_an_officer_with_one_village_logs_without_a_code(world, clock):
    li = world.person(LI)
    li.send("/log visit 走访了三户独居老人，讲了冒充客服诈骗")
    assert li.last.text == say(
        world, "duty.logged", kind="入村走访", village="柳树湾村", code="QS003", date="5月15日", next="6月30日"
    )
    (row,) = logs(world)
    assert (row.kind, row.text, row.photo) == ("visit", "走访了三户独居老人，讲了冒充客服诈骗", None)
    assert row.at == WEDNESDAY


def test_an_officer_with_several_villages_names_one_of_them(world, clock):
    wang = world.person(WANG)
    wang.send("/log contact qs002 和村支书碰了头")
    assert "石桥村（QS002）" in wang.last.text and "5月26日" in wang.last.text  # next week's Sunday
    wang.send("/log 联系 和村主任通了电话")
    assert wang.last.text == say(world, "duty.which_village", codes="QS001 QS002")
    (row,) = logs(world)
    assert row.text == "和村支书碰了头"


def test_another_officers_village_is_refused(world, clock):
    wang = world.person(WANG)
    wang.send("/log visit BS001 路过看了看")
    assert wang.last.text == say(world, "duty.not_your_village", code="BS001")
    assert logs(world) == []


def test_bad_kinds_empty_texts_and_villagers_are_refused(world, clock):
    li = world.person(LI)
    usage = say(world, "error.bad_arguments", usage=say(world, "usage.log"))
    li.send("/log party 吃饭")
    assert li.last.text == usage
    li.send("/log deed")
    assert li.last.text == usage
    villager = world.person(7)
    villager.send("/log visit 我也想记")
    assert villager.last.text == say(world, "officer.only")
    assert logs(world) == []


def test_a_photo_captioned_with_log_is_kept_with_the_entry(world, clock):
    wang = world.person(WANG)
    photo = (Attachment("photo", "AgACAgIAAxkBAAIBpGZ"),)
    wang.sends("photo", text="/log deed QS001 修好了村口的路灯", attachments=photo)
    assert wang.last.text.startswith("已记录：青山村（QS001）为村里办实事")
    (row,) = logs(world)
    assert (row.kind, row.text, row.photo) == ("deed", "修好了村口的路灯", "AgACAgIAAxkBAAIBpGZ")
    wang.sends("photo", text="/log deed QS001", attachments=photo)  # a photo is enough without words
    assert len(logs(world)) == 2
    wang.sends("photo", text="村口的路灯", attachments=photo)  # a photo that is no command: no words read in it
    assert wang.last.text == say(world, "photo.unreadable")


# --- /duty ---------------------------------------------------------------------------------


def test_duty_shows_each_village_with_the_last_date_and_what_is_due(world, clock):
    wang = world.person(WANG)
    clock(datetime(2024, 5, 13, 2, 0, tzinfo=UTC))
    wang.send("/log contact QS001 周一例会")
    clock(WEDNESDAY)
    wang.send("/duty")
    text = wang.last.text
    lines = text.splitlines()
    assert lines[0] == say(world, "duty.header", date="5月15日")
    contact_done = say(world, "duty.line", kind="联系村干部", last="5月13日", state="本周已完成 ✅")
    contact_due = say(world, "duty.line", kind="联系村干部", last="还没有记录", state="5月19日前完成（还有 4 天）")
    visit_due = say(world, "duty.line", kind="入村走访", last="还没有记录", state="5月31日前完成（还有 16 天）")
    qs001, qs002 = text.index("【青山村】QS001"), text.index("【石桥村】QS002")
    assert qs001 < text.index(contact_done) < qs002 < text.index(contact_due)
    assert text.count(visit_due) == 2
    assert say(world, "duty.line", kind="为村里办实事", last="还没有记录", state="6月30日前完成（还有 46 天）") in text


def test_duty_says_tomorrow_and_today_at_the_end_of_the_week(world, clock):
    li = world.person(LI)
    clock(datetime(2024, 5, 18, 4, 0, tzinfo=UTC))  # Saturday
    li.send("/duty")
    assert say(world, "duty.line", kind="联系村干部", last="还没有记录", state="明天到期 ⏰") in li.last.text
    clock(datetime(2024, 5, 19, 15, 0, tzinfo=UTC))  # 23:00 on Sunday
    li.send("/duty")
    assert say(world, "duty.line", kind="联系村干部", last="还没有记录", state="今天到期 ⚠️") in li.last.text


def test_duty_is_for_officers_with_villages(world, clock):
    villager = world.person(7)
    villager.send("/duty")
    assert villager.last.text == say(world, "officer.only")
    with world.services.db.begin() as session:
        session.add(Officer(name="孙空闲", phone="13800000009", telegram_id=1009, active=True))
    idle = world.person(1009)
    idle.send("/duty")
    assert idle.last.text == say(world, "duty.no_village")


# --- reminders -----------------------------------------------------------------------------


def reminders(world: World) -> dict[str, Outbox]:
    with world.services.db() as session:
        rows = session.scalars(select(Outbox).where(Outbox.dedupe_key.like("duty:%")))
        return {row.dedupe_key: row for row in rows}


def officer_id(world: World, telegram_id: int) -> int:
    with world.services.db() as session:
        return session.scalars(select(Officer.id).where(Officer.telegram_id == telegram_id)).one()


def test_the_day_before_the_week_ends_each_officer_is_reminded_once_of_what_is_left(world, clock):
    wang = world.person(WANG)
    clock(datetime(2024, 5, 13, 2, 0, tzinfo=UTC))
    wang.send("/log contact QS001 周一例会")
    saturday_morning = datetime(2024, 5, 18, 2, 0, tzinfo=UTC)  # 10:00 in the station
    assert remind_due(world.services, datetime(2024, 5, 17, 2, 0, tzinfo=UTC)) == 0  # Friday: two days left
    assert remind_due(world.services, datetime(2024, 5, 17, 23, 0, tzinfo=UTC)) == 0  # 07:00 Saturday: too early
    assert remind_due(world.services, saturday_morning) == 4  # one message for each officer
    assert remind_due(world.services, saturday_morning.replace(hour=6)) == 0  # later the same day: nothing new
    key = f"duty:{officer_id(world, WANG)}:2024-05-19"
    row = reminders(world)[key]
    assert row.chat_id == WANG
    items = say(world, "duty.remind_line", village="石桥村", code="QS002", kind="联系村干部")
    assert outbox.reply(row.payload).text == say(world, "duty.remind", when="明天到期 ⏰", items=items)
    asyncio.run(world.dispatcher.drain())
    assert [r.text for r in wang.inbox] == [outbox.reply(row.payload).text]


def test_after_downtime_the_reminder_comes_on_the_due_day(world):
    sunday = datetime(2024, 5, 19, 3, 0, tzinfo=UTC)
    assert remind_due(world.services, sunday) == 4
    row = reminders(world)[f"duty:{officer_id(world, LI)}:2024-05-19"]
    assert "今天到期" in outbox.reply(row.payload).text


def test_at_the_end_of_a_quarter_every_duty_is_in_one_message(world):
    with world.services.db.begin() as session:
        session.execute(update(Officer).where(Officer.telegram_id != LI).values(active=False))
    assert remind_due(world.services, datetime(2024, 6, 29, 2, 0, tzinfo=UTC)) == 1  # Saturday 29 June
    (row,) = reminders(world).values()
    text = outbox.reply(row.payload).text
    for kind in ("联系村干部", "入村走访", "为村里办实事"):
        assert say(world, "duty.remind_line", village="柳树湾村", code="QS003", kind=kind) in text


def test_the_reminder_runs_on_the_channels_timer():
    (task,) = [t for t in periodic.TASKS if t.name == "duty-reminders"]
    assert task.run is remind_due
