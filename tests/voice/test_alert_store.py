"""Officers' kiosk alerts in the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.store.types import utcnow
from voice import alert_store
from voice.alerts import AlertFeed


def test_added_alerts_are_listed_newest_first_until_they_expire(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        first = alert_store.add_alert(session, "今晚有人冒充电力公司收费。", "zh", "officer:12", alert_days=7)
        second = alert_store.add_alert(session, " Fake flood-relief collectors about. ", "en", "officer:5", 7)
    assert second.text == "Fake flood-relief collectors about."
    assert first.created_at is not None
    assert first.expires_at - first.created_at == timedelta(days=7)
    with factory() as session:
        assert [a.id for a in alert_store.list_alerts(session)] == [second.id, first.id]
        assert alert_store.list_alerts(session, utcnow() + timedelta(days=8)) == []
        assert len(alert_store.list_alerts(session, utcnow() + timedelta(days=8), include_expired=True)) == 2


def test_the_kiosk_source_reads_them_and_counts_each_one_said(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        alert = alert_store.add_alert(session, "注意冒充客服的电话。", "zh", "officer:1", 7)
    read, spoken = alert_store.source(factory)
    feed = AlertFeed(read, poll_seconds=0, mark_spoken=spoken)
    [active] = feed.active(utcnow(), 0)
    assert active.id == alert.id and active.spoken_count == 0
    feed.spoken(active)
    feed.spoken(active)
    [again] = feed.active(utcnow(), 1)
    assert again.spoken_count == 2
