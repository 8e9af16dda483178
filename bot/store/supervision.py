"""Public supervision in the database: ratings of closed requests, complaints about officers and
who handles them (the town's supervisor, else the admins), and the outcome of closed disputes.

A complaint is never shown to the officer it concerns: `open_for` leaves out every complaint about
the person asking, whatever their role."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.store.models import Request, Town
from bot.store.models_supervision import (
    Complaint,
    ComplaintKind,
    ComplaintStatus,
    DisputeOutcome,
    Outcome,
    Rating,
)
from bot.store.sql import insert_ignore, rowcount
from bot.store.types import utcnow

DISPUTE = "service.dispute_mediation"  # the intent of dispute-mediation requests (faq/services.yaml)
MAX_TEXT = 2000  # a complaint's words, a comment or a note: one Telegram message with room to spare


def supervisor_of(session: Session, town_id: int | None) -> int | None:
    """The Telegram id of the town's supervisor; None: the admins handle it."""
    if town_id is None:
        return None
    town = session.get(Town, town_id)
    return town.supervisor_telegram_id if town else None


def town(session: Session, town_id: int) -> Town | None:
    return session.get(Town, town_id)


def towns_supervised_by(session: Session, telegram_id: int) -> list[Town]:
    """The towns whose supervisor this Telegram account is, by name."""
    statement = select(Town).where(Town.supervisor_telegram_id == telegram_id).order_by(Town.name)
    return list(session.scalars(statement))


def rating_of(session: Session, request_id: int) -> Rating | None:
    return session.scalars(select(Rating).where(Rating.request_id == request_id)).one_or_none()


def rate(session: Session, request: Request, score: int, *, now: datetime | None = None) -> Rating | None:
    """The villager's one rating of their closed request; None when it was rated before (a second
    tap, the same update twice: the first rating stands)."""
    values = {
        "request_id": request.id,
        "citizen_id": request.citizen_id,
        "officer_id": request.officer_id,
        "town_id": request.village.town_id,
        "score": score,
        "at": now or utcnow(),
    }
    if not insert_ignore(session, Rating, values, ["request_id"]):
        return None
    return rating_of(session, request.id)


def comment(session: Session, rating_id: int, text: str) -> None:
    session.execute(update(Rating).where(Rating.id == rating_id).values(comment=text[:MAX_TEXT]))


def complain(
    session: Session,
    *,
    citizen_id: int,
    town_id: int | None,
    officer_id: int | None,
    kind: ComplaintKind,
    text: str,
    request_id: int | None = None,
    now: datetime | None = None,
) -> Complaint:
    """A new complaint, numbered; urgent when it alleges asking for money, gifts or favours."""
    complaint = Complaint(
        citizen_id=citizen_id,
        town_id=town_id,
        officer_id=officer_id,
        request_id=request_id,
        kind=kind.value,
        urgent=kind is ComplaintKind.MONEY,
        text=text[:MAX_TEXT],
        status=ComplaintStatus.OPEN.value,
        created_at=now or utcnow(),
    )
    session.add(complaint)
    session.flush()
    return complaint


def add_words(session: Session, complaint_id: int, text: str) -> None:
    """The villager's comment added to the complaint their rating opened."""
    complaint = session.get(Complaint, complaint_id)
    if complaint is not None:
        complaint.text = f"{complaint.text}\n{text}".strip()[:MAX_TEXT]
        session.flush()


def get(session: Session, complaint_id: int) -> Complaint | None:
    return session.get(Complaint, complaint_id)


def open_for(session: Session, town_ids: Sequence[int] | None, not_about: int | None) -> list[Complaint]:
    """Open complaints of these towns (None: all, for the admins), never those about the officer
    `not_about`; urgent first, then oldest."""
    statement = select(Complaint).where(Complaint.status == ComplaintStatus.OPEN)
    if town_ids is not None:
        statement = statement.where(Complaint.town_id.in_(town_ids))
    if not_about is not None:
        statement = statement.where((Complaint.officer_id.is_(None)) | (Complaint.officer_id != not_about))
    return list(session.scalars(statement.order_by(Complaint.urgent.desc(), Complaint.id).limit(50)))


def close(session: Session, complaint_id: int, by: int, note: str, *, now: datetime | None = None) -> bool:
    """Close an open complaint with the note the villager receives; False when it was closed already."""
    statement = (
        update(Complaint)
        .where(Complaint.id == complaint_id, Complaint.status == ComplaintStatus.OPEN)
        .values(status=ComplaintStatus.CLOSED.value, closed_at=now or utcnow(), closed_by=by,
                note=note[:MAX_TEXT])
        .execution_options(synchronize_session=False)
    )
    done = rowcount(session.execute(statement)) == 1
    if done:
        session.expire_all()
    return done


def record_outcome(
    session: Session, request_id: int, outcome: Outcome, officer_id: int | None, *, now: datetime | None = None
) -> bool:
    """The outcome of a closed dispute, once; False when one was recorded already."""
    values = {"request_id": request_id, "outcome": outcome.value, "officer_id": officer_id, "at": now or utcnow()}
    return insert_ignore(session, DisputeOutcome, values, ["request_id"])


def outcome_of(session: Session, request_id: int) -> DisputeOutcome | None:
    return session.get(DisputeOutcome, request_id)


def note_outcome(session: Session, request_id: int, note: str) -> None:
    session.execute(
        update(DisputeOutcome).where(DisputeOutcome.request_id == request_id).values(note=note[:MAX_TEXT])
    )
