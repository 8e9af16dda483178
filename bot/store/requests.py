"""Requests (#N) and their audit trail. Every status change is one conditional UPDATE, so two
people acting on the same request at once cannot both succeed, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select, update
from sqlalchemy.orm import Session

from bot.store import outbox
from bot.store.models import Actor, Assignment, Request, RequestEvent, RequestStatus, Village
from bot.store.sql import rowcount
from bot.store.types import utcnow

OPEN, WAITING, ACCEPTED = RequestStatus.OPEN.value, RequestStatus.WAITING.value, RequestStatus.ACCEPTED.value
DONE, CANCELLED = RequestStatus.DONE.value, RequestStatus.CANCELLED.value
ACTIVE = (OPEN, WAITING, ACCEPTED)
CLOSED = (DONE, CANCELLED)

Messages = Callable[[Request], Iterable[outbox.Outgoing]]


class AcceptResult(StrEnum):
    ACCEPTED = "accepted"
    ALREADY_YOURS = "already_yours"
    TAKEN = "taken"  # another officer accepted it first
    CLOSED = "closed"
    NOT_FOUND = "not_found"


def ref(request_id: int) -> str:
    """The reference string of a request, as used in outbox rows and message links."""
    return f"request:{request_id}"


def id_from_ref(value: str | None) -> int | None:
    """The request id in a reference like `request:12`, else None."""
    kind, _, number = (value or "").partition(":")
    return int(number) if kind == "request" and number.isdigit() else None


def create(
    session: Session,
    *,
    citizen_id: int,
    village_id: int,
    kind: str,
    details: str,
    accept_within: timedelta,
    contact_phone: str | None = None,
    attachments: Sequence[Mapping[str, str]] = (),
    urgent: bool = False,
    messages: Messages | None = None,
    now: datetime | None = None,
) -> Request:
    """Store a new request, its 'created' event and the outbox rows `messages(request)` returns.

    All in the caller's transaction: commit it before showing the villager the number.
    """
    now = now or utcnow()
    request = Request(
        citizen_id=citizen_id,
        village_id=village_id,
        kind=kind,
        details=details,
        contact_phone=contact_phone,
        attachments=[dict(a) for a in attachments],
        status=OPEN,
        urgent=urgent,
        accept_deadline=now + accept_within,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    session.flush()  # assigns the id: the number #N the messages show
    add_event(session, request.id, Actor.CITIZEN, "created", actor_id=citizen_id, text=details, at=now)
    if messages is not None:
        outbox.enqueue_all(session, messages(request), now=now)
    return request


def get(session: Session, request_id: int) -> Request | None:
    """The request #N, with its village, town and citizen loaded."""
    return session.get(Request, request_id)


def add_event(
    session: Session,
    request_id: int,
    actor: str,
    action: str,
    *,
    actor_id: int | None = None,
    text: str | None = None,
    at: datetime | None = None,
) -> RequestEvent:
    """Append a line to the request's audit trail."""
    event = RequestEvent(
        request_id=request_id, actor=Actor(actor).value, action=action, actor_id=actor_id, text=text, at=at or utcnow()
    )
    session.add(event)
    session.flush()
    return event


def events(session: Session, request_id: int) -> list[RequestEvent]:
    """The request's audit trail, oldest first."""
    statement = select(RequestEvent).where(RequestEvent.request_id == request_id).order_by(RequestEvent.id)
    return list(session.scalars(statement))


def accept(
    session: Session, request_id: int, officer_id: int, *, now: datetime | None = None
) -> tuple[AcceptResult, Request | None]:
    """Accept for the officer unless somebody already has: of two officers at once, one wins."""
    now = now or utcnow()
    request = _transition(
        session,
        request_id,
        (OPEN, WAITING),
        now,
        Request.officer_id.is_(None),
        status=ACCEPTED,
        officer_id=officer_id,
        accepted_at=now,
    )
    if request is not None:
        add_event(session, request_id, Actor.OFFICER, "accepted", actor_id=officer_id, at=now)
        return AcceptResult.ACCEPTED, request
    request = session.get(Request, request_id, populate_existing=True)
    if request is None:
        return AcceptResult.NOT_FOUND, None
    if request.status in CLOSED:
        return AcceptResult.CLOSED, request
    if request.officer_id == officer_id:
        return AcceptResult.ALREADY_YOURS, request
    return AcceptResult.TAKEN, request


def ask(
    session: Session, request_id: int, officer_id: int, text: str, *, now: datetime | None = None
) -> Request | None:
    """The officer asks the villager for details: status waiting. None if the request is closed."""
    now = now or utcnow()
    request = _transition(session, request_id, ACTIVE, now, status=WAITING)
    if request is not None:
        add_event(session, request_id, Actor.OFFICER, "asked", actor_id=officer_id, text=text, at=now)
    return request


def relay_to_officer(
    session: Session, request_id: int, citizen_id: int, text: str, *, now: datetime | None = None
) -> RequestEvent | None:
    """Log the villager's message to the officer; a waiting request goes back to the officer."""
    now = now or utcnow()
    request = session.get(Request, request_id)
    if request is None or request.status in CLOSED:
        return None
    back = case((Request.officer_id.is_(None), OPEN), else_=ACCEPTED)
    _transition(session, request_id, (WAITING,), now, status=back)
    return add_event(session, request_id, Actor.CITIZEN, "relayed_to_officer", actor_id=citizen_id, text=text, at=now)


def relay_to_citizen(
    session: Session,
    request_id: int,
    text: str,
    *,
    actor: str = Actor.OFFICER,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> RequestEvent | None:
    """Log the officer's (or desk's) message to the villager; None if the request is closed."""
    request = session.get(Request, request_id)
    if request is None or request.status in CLOSED:
        return None
    return add_event(session, request_id, actor, "relayed_to_citizen", actor_id=actor_id, text=text, at=now)


def done(
    session: Session,
    request_id: int,
    *,
    actor: str = Actor.OFFICER,
    actor_id: int | None = None,
    text: str | None = None,
    now: datetime | None = None,
) -> Request | None:
    """Close the request as done (the officer who closes an unaccepted one becomes its officer)."""
    now = now or utcnow()
    officer = func.coalesce(Request.officer_id, actor_id) if actor == Actor.OFFICER else Request.officer_id
    request = _transition(session, request_id, ACTIVE, now, status=DONE, closed_at=now, officer_id=officer)
    if request is not None:
        add_event(session, request_id, actor, "done", actor_id=actor_id, text=text, at=now)
    return request


def cancel(
    session: Session,
    request_id: int,
    *,
    actor: str = Actor.CITIZEN,
    actor_id: int | None = None,
    text: str | None = None,
    now: datetime | None = None,
) -> Request | None:
    """Cancel the request; None if it was already closed or does not exist."""
    now = now or utcnow()
    request = _transition(session, request_id, ACTIVE, now, status=CANCELLED, closed_at=now)
    if request is not None:
        add_event(session, request_id, actor, "cancelled", actor_id=actor_id, text=text, at=now)
    return request


def officer_queue(session: Session, officer_id: int, *, limit: int = 50) -> list[Request]:
    """Unclosed requests of the officer's villages (and any they accepted): urgent first, then oldest."""
    villages = select(Assignment.village_id).where(Assignment.officer_id == officer_id, Assignment.end_at.is_(None))
    mine = or_(Request.village_id.in_(villages), Request.officer_id == officer_id)
    return _queue(session, mine, limit)


def town_queue(session: Session, town_id: int, *, limit: int = 50) -> list[Request]:
    """Unclosed requests of a town's villages, for its duty desk: urgent first, then oldest."""
    villages = select(Village.id).where(Village.town_id == town_id)
    return _queue(session, Request.village_id.in_(villages), limit)


def citizen_requests(session: Session, citizen_id: int, *, active_only: bool = False, limit: int = 20) -> list[Request]:
    """A citizen's own requests, newest first."""
    statement = select(Request).where(Request.citizen_id == citizen_id)
    if active_only:
        statement = statement.where(Request.status.in_(ACTIVE))
    return list(session.scalars(statement.order_by(Request.id.desc()).limit(limit)))


def due_escalations(session: Session, *, now: datetime | None = None, limit: int = 50) -> list[Request]:
    """Open requests past their accept deadline, not yet escalated; locked for this transaction.

    PostgreSQL skips rows another worker holds; escalate each with `escalate` before committing.
    """
    statement = (
        select(Request)
        .where(Request.status == OPEN, Request.escalated_at.is_(None), Request.accept_deadline <= (now or utcnow()))
        .order_by(Request.urgent.desc(), Request.accept_deadline, Request.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Request)
    )
    return list(session.scalars(statement))


def escalate(
    session: Session, request_id: int, *, messages: Messages | None = None, now: datetime | None = None
) -> Request | None:
    """Mark an open request escalated (once) and enqueue `messages(request)` (desk, reminder)."""
    now = now or utcnow()
    request = _transition(session, request_id, (OPEN,), now, Request.escalated_at.is_(None), escalated_at=now)
    if request is None:
        return None
    add_event(session, request_id, Actor.SYSTEM, "escalated", at=now)
    if messages is not None:
        outbox.enqueue_all(session, messages(request), now=now)
    return request


def next_deadline(session: Session) -> datetime | None:
    """The earliest accept deadline still to escalate (to schedule the timer after a restart)."""
    statement = select(func.min(Request.accept_deadline)).where(Request.status == OPEN, Request.escalated_at.is_(None))
    return session.scalars(statement).one()


def _queue(session: Session, condition: ColumnElement[bool], limit: int) -> list[Request]:
    statement = (
        select(Request)
        .where(Request.status.in_(ACTIVE), condition)
        .order_by(Request.urgent.desc(), Request.created_at, Request.id)
        .limit(limit)
    )
    return list(session.scalars(statement))


def _transition(
    session: Session,
    request_id: int,
    allowed: Sequence[str],
    now: datetime,
    *conditions: ColumnElement[bool],
    **values: Any,
) -> Request | None:
    """One conditional UPDATE; the fresh request when it applied, None when the state forbade it."""
    statement = (
        update(Request)
        .where(Request.id == request_id, Request.status.in_(allowed), *conditions)
        .values(updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if rowcount(session.execute(statement)) != 1:
        return None
    return session.get(Request, request_id, populate_existing=True)
