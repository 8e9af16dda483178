"""The outbox: messages to other people, written with the change that causes them, sent later.

Each row has a `dedupe_key` (e.g. `request:12:officer:5`), so enqueueing the same thing twice
(a retried handler, a redelivered update) sends it once. A dispatcher claims due rows, sends
them, and marks each one sent, rescheduled or blocked.

A send is recorded before it is made (`start`: `sending_since`) and finished after. When Telegram's
answer never comes (a time-out, a connection dropped after the request went out, a crash between
the call and its record), the row's `at_least_once` decides: True sends it again (officers' cards,
urgent pages, a person's words: a duplicate is acceptable, a loss is not), False gives it up and says
so (notices: a duplicate is a nuisance). A chat that blocked the bot keeps its rows (`blocked`), and
gets them when it works again (`citizens.identify`, `citizens.mark_blocked(..., False)`).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.core.types import Button, Reply, Speech
from bot.store import citizens, links
from bot.store.models import Outbox, OutboxStatus
from bot.store.sql import insert_ignore
from bot.store.types import utcnow

log = logging.getLogger(__name__)

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
    at_least_once: bool = False  # sent again when Telegram's answer is unknown (see the module's doc)
    urgent: bool = False  # sent before the chat's other rows (an urgent page, not the backlog)


def payload(reply: Reply) -> dict[str, Any]:
    """The JSON form of a reply: text, buttons as [[{label, data}]], photo, ref."""
    return {
        "text": reply.text,
        "buttons": [[{"label": b.label, "data": b.data, **({"url": b.url} if b.url else {})} for b in row]
                    for row in reply.buttons],
        "photo": reply.photo,
        "ref": reply.ref,
        **({"reply_to": reply.reply_to} if reply.reply_to is not None else {}),
        **({"voice": {"text": reply.voice.text, "lang": reply.voice.lang}} if reply.voice is not None else {}),
        **({"keyboard": [list(row) for row in reply.keyboard]} if reply.keyboard else {}),
        **({"contact_button": reply.contact_button} if reply.contact_button else {}),
        **({"force_reply": True} if reply.force_reply else {}),
        **({"edit": reply.edit} if reply.edit is not None else {}),
        **({"document": reply.document} if reply.document else {}),
    }


def reply(data: dict[str, Any]) -> Reply:
    """The reply stored in a payload, for the sender to render."""
    rows = tuple(
        tuple(Button(b["label"], b["data"], b.get("url", "")) for b in row) for row in data.get("buttons") or ()
    )
    return Reply(
        text=data.get("text", ""),
        buttons=rows,
        photo=data.get("photo"),
        ref=data.get("ref"),
        reply_to=data.get("reply_to"),
        voice=Speech(data["voice"]["text"], data["voice"]["lang"]) if data.get("voice") else None,
        keyboard=tuple(tuple(row) for row in data.get("keyboard") or ()),
        contact_button=data.get("contact_button", ""),
        force_reply=bool(data.get("force_reply")),
        edit=data.get("edit"),
        document=data.get("document"),
    )


def enqueue(session: Session, item: Outgoing, *, now: datetime | None = None, held: bool = False) -> bool:
    """Add a message unless its dedupe key was enqueued before; True when it is new.

    `held`: the person blocked the bot; the row waits (status `blocked`) until they write again."""
    now = now or utcnow()
    values = {
        "dedupe_key": item.dedupe_key,
        "chat_id": item.chat_id,
        "payload": item.payload,
        "ref": item.ref,
        "at_least_once": item.at_least_once,
        "urgent": item.urgent,
        "status": (OutboxStatus.BLOCKED if held else OutboxStatus.PENDING).value,
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
    """Take up to `limit` due rows for sending, urgent ones first, then the oldest, and hide them
    from others for `lease`.

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
        .order_by(Outbox.urgent.desc(), Outbox.next_attempt_at, Outbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if chat_ids is not None:
        statement = statement.where(Outbox.chat_id.in_(list(chat_ids)))
    rows = list(session.scalars(statement))
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + lease
    for row in [r for r in rows if r.sending_since is not None]:  # its sender died after the call, before the record
        _unknown(row, "the sender stopped before Telegram's answer was recorded")  # sent again now, or given up
    session.flush()
    return [r for r in rows if r.status == OutboxStatus.PENDING]


def due_chats(
    session: Session,
    *,
    limit: int = 50,
    busy: Collection[int] = (),
    chat_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> list[int]:
    """The chats with rows due now, except the `busy` ones (being sent to): those with an urgent row
    first, then by their oldest due row. Read only; each chat's sender claims its rows one by one."""
    now = now or utcnow()
    due = (Outbox.status == OutboxStatus.PENDING, Outbox.next_attempt_at <= now)
    statement = (
        select(Outbox.chat_id)
        .where(*due)
        .group_by(Outbox.chat_id)
        .order_by(func.max(case((Outbox.urgent, 1), else_=0)).desc(), func.min(Outbox.id))
        .limit(limit)
    )
    if busy:
        statement = statement.where(Outbox.chat_id.not_in(list(busy)))
    if chat_ids is not None:
        statement = statement.where(Outbox.chat_id.in_(list(chat_ids)))
    return list(session.scalars(statement))


def start(session: Session, outbox_id: int, *, now: datetime | None = None) -> None:
    """Record that the call is about to be made: from here until it is finished, the outcome is unknown."""
    _row(session, outbox_id).sending_since = now or utcnow()
    session.flush()


def settle_unknown(
    session: Session, outbox_id: int, error: str, *, max_attempts: int = 8, now: datetime | None = None
) -> str:
    """Telegram may or may not have the message: send again after the usual backoff (`at_least_once`)
    or give up. Returns the row's new status."""
    row = _row(session, outbox_id)
    _unknown(row, error)
    if row.status == OutboxStatus.PENDING:
        reschedule(session, outbox_id, row.last_error or error, max_attempts=max_attempts, now=now)
    session.flush()
    return row.status


def _unknown(row: Outbox, error: str) -> None:
    row.sending_since = None
    row.last_error = f"outcome unknown: {error}"[:2000]
    if row.at_least_once:
        log.warning("outbox %d: outcome unknown (%s); to be sent again (at least once)", row.id, error)
    else:
        row.status = OutboxStatus.FAILED
        log.warning("outbox %d: outcome unknown (%s); not sent again (at most once)", row.id, error)


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
    row.sending_since = None
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
    row.sending_since = None
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
    """The chat blocked the bot (403): hold this and every pending row for it; flag the citizen.
    The rows wait (status `blocked`) until the chat works again.

    Returns how many rows were held.
    """
    row = _row(session, outbox_id)
    pending = session.scalars(
        select(Outbox).where(Outbox.chat_id == row.chat_id, Outbox.status == OutboxStatus.PENDING)
    ).all()
    stopped = {r.id: r for r in (*pending, row)}.values()
    for item in stopped:
        item.status = OutboxStatus.BLOCKED
        item.sending_since = None
        item.last_error = error[:2000]
    citizens.mark_blocked(session, row.chat_id)
    session.flush()
    return len(stopped)


def rewrite_unsent(session: Session, row: Outbox, new_payload: dict[str, Any]) -> bool:
    """A row not sent yet (nor being sent) says `new_payload` instead; False when it is too late."""
    if row.status not in (OutboxStatus.PENDING, OutboxStatus.BLOCKED) or row.sending_since is not None:
        return False
    row.payload = new_payload
    session.flush()
    return True


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
