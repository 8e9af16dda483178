"""Officers' kiosk alerts in the database (table kiosk_alerts): add, list, read as an alert source."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.store.models import KioskAlert
from bot.store.types import utcnow
from voice.alerts import Alert, AlertSource, expiry


def add_alert(session: Session, text: str, lang: str, created_by: str, alert_days: float) -> Alert:
    """Store a new alert (the Telegram /kiosk command); the kiosk says it at its next slot."""
    now = utcnow()
    row = KioskAlert(text=text.strip(), lang=lang, created_by=created_by, created_at=now,
                     expires_at=expiry(now, alert_days), spoken_count=0)
    session.add(row)
    session.flush()
    return _alert(row)


def list_alerts(session: Session, now: datetime | None = None, include_expired: bool = False) -> list[Alert]:
    """The alerts, newest first; only those not expired at `now` unless `include_expired`."""
    query = select(KioskAlert).order_by(KioskAlert.created_at.desc(), KioskAlert.id.desc())
    if not include_expired:
        query = query.where(KioskAlert.expires_at > (now or utcnow()))
    return [_alert(row) for row in session.scalars(query)]


def count_spoken(session: Session, alert_id: str) -> None:
    """Add one to the alert's spoken count."""
    session.execute(
        update(KioskAlert).where(KioskAlert.id == int(alert_id)).values(spoken_count=KioskAlert.spoken_count + 1)
    )


def source(factory: sessionmaker[Session]) -> tuple[AlertSource, Callable[[Alert], None]]:
    """An alert source for `AlertFeed`, and the function that counts an alert as spoken."""

    def read() -> list[Alert]:
        with factory() as session:
            return list_alerts(session)

    def spoken(alert: Alert) -> None:
        with factory.begin() as session:
            count_spoken(session, alert.id)

    return read, spoken


def _alert(row: KioskAlert) -> Alert:
    return Alert(str(row.id), row.text, row.lang, row.expires_at, row.created_at, row.created_by, row.spoken_count)
