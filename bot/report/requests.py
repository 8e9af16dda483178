"""Villagers' requests in the period: how many of each kind per town, how fast they were accepted
and closed, which were escalated to the duty desk, and which wait past their deadline now."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.report.period import Span
from bot.store import requests as store
from bot.store import roster
from bot.store.models import Request


@dataclass(frozen=True)
class Timing:
    town: str | None  # None: every town together
    requests: int
    accepted: int
    accept_median: float | None  # minutes
    accept_p90: float | None
    closed: int
    close_median: float | None  # hours
    close_p90: float | None


@dataclass(frozen=True)
class RequestFigures:
    counts: Counter[tuple[str, str]]  # (kind, town) -> requests
    kinds: list[str]  # most asked first
    towns: list[str]
    timing: list[Timing]  # one per town, then all towns together
    escalations: list[Request]
    overdue: list[Request]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def quantile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile with linear interpolation between the nearest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def timing(town: str | None, found: Sequence[Request]) -> Timing:
    """Time to accept (minutes) and to close as done (hours) of these requests."""
    accept = [(r.accepted_at - r.created_at).total_seconds() / 60 for r in found if r.accepted_at]
    close = [
        (r.closed_at - r.created_at).total_seconds() / 3600 for r in found if r.closed_at and r.status == store.DONE
    ]
    return Timing(
        town,
        len(found),
        len(accept),
        quantile(accept, 0.5),
        quantile(accept, 0.9),
        len(close),
        quantile(close, 0.5),
        quantile(close, 0.9),
    )


def created_in(session: Session, span: Span) -> list[Request]:
    statement = (
        select(Request).where(Request.created_at >= span.start, Request.created_at < span.end).order_by(Request.id)
    )
    return list(session.scalars(statement))


def escalated_in(session: Session, span: Span) -> list[Request]:
    statement = (
        select(Request)
        .where(Request.escalated_at >= span.start, Request.escalated_at < span.end)
        .order_by(Request.escalated_at, Request.id)
    )
    return list(session.scalars(statement))


def overdue_now(session: Session, span: Span) -> list[Request]:
    """Not accepted, not closed, past the accept deadline at the time of the report."""
    statement = (
        select(Request)
        .where(
            Request.status.in_(store.ACTIVE),
            Request.accepted_at.is_(None),
            Request.accept_deadline < span.now,
        )
        .order_by(Request.accept_deadline, Request.id)
    )
    return list(session.scalars(statement))


def request_figures(session: Session, span: Span) -> RequestFigures:
    found = created_in(session, span)
    towns = [t.name for t in roster.all_towns(session)]
    counts = Counter((r.kind, r.village.town.name) for r in found)
    kinds = [kind for kind, _ in Counter(r.kind for r in found).most_common()]
    per_town = [timing(town, [r for r in found if r.village.town.name == town]) for town in towns]
    return RequestFigures(
        counts=counts,
        kinds=kinds,
        towns=towns,
        timing=[*per_town, timing(None, found)],
        escalations=escalated_in(session, span),
        overdue=overdue_now(session, span),
    )
