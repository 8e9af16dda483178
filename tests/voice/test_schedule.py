"""When warnings are said, which, in which language; officers' alerts first."""

from __future__ import annotations

import time as system_time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest

from bot import localtime
from bot.settings import AppSettings, KioskSettings, Settings
from intents.faq import Text
from voice.alerts import Alert, AlertFeed, expiry, from_list
from voice.playlist import Warning
from voice.schedule import Schedule, in_quiet_hours

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
WARNINGS = [
    Warning("a", "fraud.a", Text("甲。", "A.")),
    Warning("b", "fraud.b", Text("乙。", "B."), priority=2),
    Warning("c", "fraud.c", Text("丙。", "C.")),
]


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [(time(21, 59), False), (time(22, 0), True), (time(23, 30), True), (time(3, 0), True), (time(7, 0), False)],
)
def test_quiet_hours_span_midnight(moment: time, quiet: bool) -> None:
    assert in_quiet_hours(moment, ("22:00", "07:00")) is quiet


def test_quiet_hours_within_a_day_and_none() -> None:
    assert in_quiet_hours(time(13, 0), ("12:00", "14:00"))
    assert not in_quiet_hours(time(15, 0), ("12:00", "14:00"))
    assert not in_quiet_hours(time(3, 0), ())


@pytest.fixture(params=["UTC0", "MACHINE+5", "MACHINE-8"])  # POSIX TZ: UTC, UTC-5 and UTC+8, no tzdata needed
def machine_tz(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The machine's own time zone, as TZ sets it for the kiosk's process."""
    monkeypatch.setenv("TZ", request.param)
    system_time.tzset()
    yield request.param
    monkeypatch.undo()
    system_time.tzset()


@pytest.mark.parametrize(
    ("offset", "late", "afternoon"),
    [
        (8, datetime(2025, 3, 1, 15, 0, tzinfo=UTC), datetime(2025, 3, 1, 6, 0, tzinfo=UTC)),  # China
        (-5, datetime(2025, 3, 2, 4, 0, tzinfo=UTC), datetime(2025, 3, 1, 19, 0, tzinfo=UTC)),
    ],
)
def test_quiet_hours_follow_the_stations_clock_whatever_the_machines_time_zone(
    machine_tz: str, offset: int, late: datetime, afternoon: datetime
) -> None:
    station = localtime.zone(Settings(app=AppSettings(utc_offset_hours=offset)))
    assert late.astimezone(station).hour == 23 and afternoon.astimezone(station).hour == 14
    schedule = Schedule(KioskSettings(quiet_hours=("22:00", "07:00")), WARNINGS, station)
    for reading in (late, late.astimezone()):  # a clock in UTC, a clock in the machine's zone
        assert schedule.quiet(reading), f"23:00 at the station, {reading:%H:%M} on a machine in {machine_tz}"
        assert not schedule.due(0, reading, None, busy=False)
    assert not schedule.quiet(afternoon.astimezone())
    assert schedule.due(0, afternoon.astimezone(), None, busy=False)


def test_bad_quiet_hours_are_refused() -> None:
    with pytest.raises(ValueError, match="quiet_hours"):
        KioskSettings(quiet_hours=("22:00",))
    with pytest.raises(ValueError, match="quiet_hours"):
        KioskSettings(quiet_hours=("25:00", "07:00"))
    with pytest.raises(ValueError, match="languages"):
        KioskSettings(languages=("fr",))


def test_a_warning_is_due_after_the_interval_when_the_visitor_is_idle_and_not_at_night() -> None:
    schedule = Schedule(KioskSettings(interval_seconds=300, idle_seconds=60), WARNINGS, UTC)
    noon, night = NOW.replace(hour=12), NOW.replace(hour=23)
    assert schedule.due(0, noon, None, busy=False)
    assert not schedule.due(0, night, None, busy=False)
    assert not schedule.due(0, noon, None, busy=True)
    schedule.next(0)
    assert not schedule.due(299, noon, None, busy=False)
    assert schedule.due(300, noon, None, busy=False)
    assert not schedule.due(300, noon, last_input=250, busy=False)
    assert schedule.due(310, noon, last_input=250, busy=False)


def test_rotation_says_each_warning_in_proportion_to_its_priority_and_alternates_languages() -> None:
    schedule = Schedule(KioskSettings(languages=("zh", "en")), WARNINGS, UTC)
    items = [schedule.next(float(i)) for i in range(50)]
    said = Counter(item.key for item in items if item)
    assert said["warning:b"] == pytest.approx(3 * said["warning:a"], abs=3)
    assert said["warning:a"] == pytest.approx(said["warning:c"], abs=1)
    assert [item.lang for item in items[:4] if item] == ["zh", "en", "zh", "en"]
    assert items[0] is not None and items[0].text == "乙。"  # priority first
    assert items[1] is not None and items[1].text == "A."


def test_a_new_alert_is_said_next_then_joins_the_rotation() -> None:
    schedule = Schedule(KioskSettings(), WARNINGS, UTC)
    for i in range(20):
        schedule.next(float(i))
    alert = Alert("7", "今晚有人冒充电力公司收费。", "zh", NOW + timedelta(days=7))
    first = schedule.next(20.0, [alert])
    assert first is not None and first.alert == alert and first.lang == "zh"
    later = [schedule.next(float(i), [alert]) for i in range(21, 41)]
    count = sum(1 for item in later if item and item.alert)
    assert 2 <= count <= 5  # about once a round (weights 1+1+3+1), not every slot


def test_the_feed_drops_expired_alerts_and_reads_its_source_at_most_every_poll() -> None:
    reads = []
    fresh = Alert("1", "新的", "zh", expiry(NOW, 7), NOW)
    old = Alert("2", "旧的", "zh", expiry(NOW - timedelta(days=8), 7), NOW - timedelta(days=8))

    def source() -> list[Alert]:
        reads.append(1)
        return [old, fresh]

    feed = AlertFeed(source, poll_seconds=30)
    assert feed.active(NOW, 0) == [fresh]
    assert feed.active(NOW, 10) == [fresh]
    assert len(reads) == 1
    feed.active(NOW, 31)
    assert len(reads) == 2
    assert feed.active(NOW + timedelta(days=8), 40) == []


def test_a_failing_source_keeps_the_last_alerts() -> None:
    good = [Alert("1", "提醒", "zh", NOW + timedelta(days=1), NOW)]
    calls = {"n": 0}

    def source() -> list[Alert]:
        calls["n"] += 1
        if calls["n"] > 1:
            raise ConnectionError("database away")
        return good

    feed = AlertFeed(source, poll_seconds=0)
    assert feed.active(NOW, 0) == good
    assert feed.active(NOW, 1) == good
    spoken: list[Alert] = []
    AlertFeed(from_list(good), mark_spoken=spoken.append).spoken(good[0])
    assert spoken == good
