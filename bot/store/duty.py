"""The officers' village duty log: contacts with the cadres, visits on site, practical deeds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.models_outreach import DutyKind, DutyLog
from bot.store.types import utcnow

TEXT_MAX = 2000


def add(
    session: Session,
    *,
    officer_id: int,
    village_id: int,
    kind: str,
    text: str,
    photo: str | None = None,
    at: datetime | None = None,
) -> DutyLog:
    """Record one duty done (kind: contact | visit | deed)."""
    row = DutyLog(
        officer_id=officer_id,
        village_id=village_id,
        kind=DutyKind(kind).value,
        text=text.strip()[:TEXT_MAX],
        photo=photo,
        at=at or utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def last_done(session: Session, officer_id: int) -> dict[tuple[int, str], datetime]:
    """When the officer last did each kind of duty in each village: {(village_id, kind): at}."""
    statement = (
        select(DutyLog.village_id, DutyLog.kind, func.max(DutyLog.at))
        .where(DutyLog.officer_id == officer_id, DutyLog.village_id.is_not(None))
        .group_by(DutyLog.village_id, DutyLog.kind)
    )
    # max() keeps the column's type, so the times come back timezone-aware on SQLite too
    rows = session.execute(statement)
    return {(village_id, kind): at for village_id, kind, at in rows if village_id is not None}


def between(session: Session, start: datetime, end: datetime) -> list[DutyLog]:
    """Every duty logged from `start` (inclusive) to `end` (exclusive), oldest first."""
    statement = select(DutyLog).where(DutyLog.at >= start, DutyLog.at < end).order_by(DutyLog.at, DutyLog.id)
    return list(session.scalars(statement))
