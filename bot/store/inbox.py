"""The inbox: every Telegram update recorded before Telegram is told it arrived, marked when handled.

Telegram forgets an update once the bot acknowledges it (a later getUpdates offset, or a webhook's
200); a process killed between that moment and the end of the update's handling used to lose it.
Recorded first, an update that was not handled is handled at the next start instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.store.models import InboxUpdate
from bot.store.sql import insert_ignore, rowcount
from bot.store.types import utcnow


def record(session: Session, update_id: int, raw: str, *, now: datetime | None = None) -> bool:
    """Keep the update; False when it was recorded before (Telegram sent it again: ignore it)."""
    values = {"update_id": update_id, "raw": raw, "received_at": now or utcnow(), "handled_at": None}
    return insert_ignore(session, InboxUpdate, values, ["update_id"])


def record_many(session: Session, updates: Sequence[tuple[int, str]], *, now: datetime | None = None) -> set[int]:
    """Keep a batch of (update id, raw JSON) in one go; the ids of those not recorded before."""
    ids = [update_id for update_id, _ in updates]
    known = set(session.scalars(select(InboxUpdate.update_id).where(InboxUpdate.update_id.in_(ids))))
    received = now or utcnow()
    new = [(update_id, raw) for update_id, raw in dict(updates).items() if update_id not in known]
    if new:
        session.execute(
            InboxUpdate.__table__.insert(),  # type: ignore[attr-defined]
            [{"update_id": i, "raw": raw, "received_at": received, "handled_at": None} for i, raw in new],
        )
    return {update_id for update_id, _ in new}


def mark_handled(session: Session, update_ids: Iterable[int], *, now: datetime | None = None) -> None:
    statement = (
        update(InboxUpdate)
        .where(InboxUpdate.update_id.in_(list(update_ids)))
        .values(handled_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    session.execute(statement)


def unhandled(session: Session) -> list[tuple[int, str]]:
    """(update id, raw JSON) of every update recorded and not handled, oldest first."""
    rows = session.execute(
        select(InboxUpdate.update_id, InboxUpdate.raw)
        .where(InboxUpdate.handled_at.is_(None))
        .order_by(InboxUpdate.update_id)
    )
    return [(update_id, raw) for update_id, raw in rows]


def forget_before(session: Session, before: datetime) -> int:
    """Drop updates handled before `before` (Telegram sends an update again for a day at most)."""
    statement = (
        delete(InboxUpdate).where(InboxUpdate.handled_at < before).execution_options(synchronize_session=False)
    )
    return rowcount(session.execute(statement))
