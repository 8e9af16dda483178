"""The outbox: messages to other people, written with the change that causes them, sent later.

Each row has a `dedupe_key` (e.g. `request:12:officer:5`), so enqueueing the same thing twice
(a retried handler, a redelivered update) sends it once. A dispatcher claims due rows, sends
them, and marks each one sent, rescheduled or blocked.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core.types import Button, Reply
from bot.store import citizens, links
from bot.store.models import Outbox, OutboxStatus
from bot.store.sql import insert_ignore
from bot.store.types import utcnow

CLAIM_LEASE = timedelta(seconds=60)  # a claimed row is retried after this if its sender died
BACKOFF_BASE = 5.0  # seconds before the first retry; doubles with each attempt
BACKOFF_MAX = 900.0


@dataclass(frozen=True)
class Outgoing:
    """A message to put in the outbox: to whom, what, and the key that makes it happen once."""

    dedupe_key: str
    chat_id: int
    payload: dict[str, Any] = field(hash=False)
    ref: str | None = None


def payload(reply: Reply) -> dict[str, Any]:
    """The JSON form of a reply: text, buttons as [[{label, data}]], photo, ref."""
    return {
        "text": reply.text,
        "buttons": [[{"label": b.label, "data": b.data} for b in row] for row in reply.buttons],
        "photo": reply.photo,
        "ref": reply.ref,
    }


def reply(data: dict[str, Any]) -> Reply:
    """The reply stored in a payload, for the sender to render."""
    rows = tuple(tuple(Button(b["label"], b["data"]) for b in row) for row in data.get("buttons") or ())
    return Reply(text=data.get("text", ""), buttons=rows, photo=data.get("photo"), ref=data.get("ref"))


def enqueue(session: Session, item: Outgoing, *, now: datetime | None = None) -> bool:
    """Add a message unless its dedupe key was enqueued before; True when it is new."""
    now = now or utcnow()
    values = {
        "dedupe_key": item.dedupe_key,
        "chat_id": item.chat_id,
        "payload": item.payload,
        "ref": item.ref,
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    return insert_ignore(session, Outbox, values, ["dedupe_key"])


def enqueue_all(session: Session, items: Iterable[Outgoing], *, now: datetime | None = None) -> int:
    """Enqueue several messages; returns how many were new."""
    return sum(enqueue(session, item, now=now) for item in items)


def claim_due(
    session: Session,
    *,
    limit: int = 20,
    lease: timedelta = CLAIM_LEASE,
    now: datetime | None = None,
    chat_ids: Collection[int] | None = None,
) -> list[Outbox]:
    """Take up to `limit` due rows for sending, oldest first, and hide them from others for `lease`.

    `chat_ids` limits the claim to rows addressed to those chats (the console takes only the
    messages of the user it plays); the others are not touched.
    PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent workers claim different rows. SQLite ignores
    the clause; its transactions already hold the write lock (BEGIN IMMEDIATE, see db.py).
    Commit the claim before sending, then report each row with mark_sent / reschedule / mark_blocked.
    """
    now = now or utcnow()
    statement = (
        select(Outbox)
        .where(Outbox.status == OutboxStatus.PENDING, Outbox.next_attempt_at <= now)
        .order_by(Outbox.next_attempt_at, Outbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if chat_ids is not None:
        statement = statement.where(Outbox.chat_id.in_(list(chat_ids)))
    rows = list(session.scalars(statement))
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + lease
    session.flush()
    return rows


def release(session: Session, outbox_ids: Iterable[int], *, now: datetime | None = None) -> None:
    """Give back claimed rows that were not tried (a clean stop): due at once, the claim not counted."""
    rows = session.scalars(select(Outbox).where(Outbox.id.in_(list(outbox_ids)), Outbox.status == OutboxStatus.PENDING))
    for row in rows:
        row.attempts = max(0, row.attempts - 1)
        row.next_attempt_at = now or utcnow()
    session.flush()


def mark_sent(session: Session, outbox_id: int, message_id: int | None, *, now: datetime | None = None) -> None:
    """Record delivery; a message with a ref is linked, so a reply to it finds its request."""
    row = _row(session, outbox_id)
    row.status = OutboxStatus.SENT
    row.telegram_message_id = message_id
    row.sent_at = now or utcnow()
    row.last_error = None
    if row.ref and message_id is not None:
        links.link_message(session, row.chat_id, message_id, row.ref)
    session.flush()


def reschedule(
    session: Session,
    outbox_id: int,
    error: str,
    *,
    retry_after: float | None = None,
    max_attempts: int = 8,
    now: datetime | None = None,
) -> str:
    """After a failed send: retry after `retry_after` (429) or a backoff; give up after max_attempts.

    Returns the row's new status (pending or failed). A 429 never counts as giving up: the message
    is fine, Telegram only asks us to wait.
    """
    row = _row(session, outbox_id)
    now = now or utcnow()
    row.last_error = error[:2000]
    if retry_after is not None:
        row.next_attempt_at = now + timedelta(seconds=retry_after)
    elif row.attempts >= max_attempts:
        row.status = OutboxStatus.FAILED
    else:
        delay = min(BACKOFF_BASE * 2 ** max(row.attempts - 1, 0), BACKOFF_MAX)
        row.next_attempt_at = now + timedelta(seconds=delay)
    session.flush()
    return row.status


def mark_blocked(session: Session, outbox_id: int, error: str = "blocked by the user") -> int:
    """The chat blocked the bot (403): stop this and every pending row for it; flag the citizen.

    Returns how many rows were stopped.
    """
    row = _row(session, outbox_id)
    pending = session.scalars(
        select(Outbox).where(Outbox.chat_id == row.chat_id, Outbox.status == OutboxStatus.PENDING)
    ).all()
    stopped = {r.id: r for r in (*pending, row)}.values()
    for item in stopped:
        item.status = OutboxStatus.BLOCKED
        item.last_error = error[:2000]
    citizens.mark_blocked(session, row.chat_id)
    session.flush()
    return len(stopped)


def get(session: Session, outbox_id: int) -> Outbox | None:
    """The outbox row with this id."""
    return session.get(Outbox, outbox_id)


def by_key(session: Session, dedupe_key: str) -> Outbox | None:
    """The outbox row with this dedupe key."""
    return session.scalars(select(Outbox).where(Outbox.dedupe_key == dedupe_key)).one_or_none()


def by_ref(session: Session, ref: str) -> list[Outbox]:
    """Every row about one thing (e.g. `request:12`), oldest first."""
    return list(session.scalars(select(Outbox).where(Outbox.ref == ref).order_by(Outbox.id)))


def next_due(session: Session) -> datetime | None:
    """When the earliest pending row becomes due (for the dispatcher's sleep)."""
    statement = select(func.min(Outbox.next_attempt_at)).where(Outbox.status == OutboxStatus.PENDING)
    return session.scalars(statement).one()


def last_id(session: Session) -> int:
    """The id of the newest row (0 when there is none): rows enqueued later have higher ids."""
    return session.scalars(select(func.coalesce(func.max(Outbox.id), 0))).one()


def pending_after(session: Session, after_id: int, *, not_chats: Collection[int] = ()) -> list[Outbox]:
    """Pending rows newer than `after_id`, oldest first, except those to `not_chats`; read only."""
    statement = select(Outbox).where(Outbox.id > after_id, Outbox.status == OutboxStatus.PENDING)
    if not_chats:
        statement = statement.where(Outbox.chat_id.not_in(list(not_chats)))
    return list(session.scalars(statement.order_by(Outbox.id)))


def pending_count(session: Session) -> int:
    """How many rows are waiting to be sent."""
    statement = select(func.count()).select_from(Outbox).where(Outbox.status == OutboxStatus.PENDING)
    return session.scalars(statement).one()


def _row(session: Session, outbox_id: int) -> Outbox:
    row = session.get(Outbox, outbox_id)
    if row is None:
        raise LookupError(f"no outbox row {outbox_id}")
    return row
