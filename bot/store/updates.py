"""Seen Telegram updates: a redelivered update (same update_id) is handled only once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
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


def keep_replies(session: Session, update_id: int, replies: list[dict[str, Any]]) -> None:
    """Keep what the turn answered (outbox payloads), in the turn's transaction, so that handling the
    update again (after a kill before its reply went out) tells the same answer."""
    statement = (
        update(SeenUpdate)
        .where(SeenUpdate.update_id == update_id)
        .values(replies=replies)
        .execution_options(synchronize_session=False)
    )
    session.execute(statement)


def kept_replies(session: Session, update_id: int) -> list[dict[str, Any]]:
    """What the turn of a seen update answered ([] for none, or for a turn from before they were kept)."""
    replies = session.scalar(select(SeenUpdate.replies).where(SeenUpdate.update_id == update_id))
    return list(replies or [])


def forget_before(session: Session, before: datetime) -> int:
    """Drop ids seen before `before` (Telegram redelivers for a day at most); returns how many."""
    statement = delete(SeenUpdate).where(SeenUpdate.at < before).execution_options(synchronize_session=False)
    return rowcount(session.execute(statement))
