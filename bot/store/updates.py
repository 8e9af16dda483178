"""Seen Telegram updates: a redelivered update (same update_id) is handled only once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.store.models import SeenUpdate
from bot.store.sql import insert_ignore, rowcount
from bot.store.types import utcnow


def first_time(session: Session, update_id: int, *, now: datetime | None = None) -> bool:
    """Record the update id; False when it was recorded before (a duplicate to ignore).

    Call it in the same transaction as the update's effects: if handling fails and rolls back,
    the id is not kept and a redelivery is handled afresh.
    """
    return insert_ignore(session, SeenUpdate, {"update_id": update_id, "at": now or utcnow()}, ["update_id"])


def forget_before(session: Session, before: datetime) -> int:
    """Drop ids seen before `before` (Telegram redelivers for a day at most); returns how many."""
    statement = delete(SeenUpdate).where(SeenUpdate.at < before).execution_options(synchronize_session=False)
    return rowcount(session.execute(statement))
