"""Public supervision in the period: villagers' satisfaction per officer and per town, the officers
nobody has rated yet, complaints by kind and how long they took to close, and the disputes taken up
and closed per town with their 调结率 (settled ÷ closed, see bot/core/disputes.py), for the whole period
and for each calendar month in it (local months; the first and last cut to the period)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import localtime
from bot.report.period import Span
from bot.report.requests import quantile
from bot.settings import Settings
from bot.store import requests as store
from bot.store import roster
from bot.store.models import Officer, Request, Town
from bot.store.models_supervision import Complaint, ComplaintKind, DisputeOutcome, Outcome, Rating, Score
from bot.store.supervision import DISPUTE


@dataclass(frozen=True)
class Satisfaction:
    name: str | None  # an officer's or a town's; None: everyone together
    scores: tuple[int, int, int]  # 满意, 基本满意, 不满意

    @property
    def rated(self) -> int:
        return sum(self.scores)

    @property
    def share(self) -> float | None:
        """满意率: satisfied or fairly satisfied, of the ratings."""
        return (self.scores[0] + self.scores[1]) / self.rated if self.rated else None


@dataclass(frozen=True)
class Complaints:
    kind: str | None  # None: every kind
    received: int
    closed: int
    close_median: float | None  # hours
    close_p90: float | None


@dataclass(frozen=True)
class Disputes:
    town: str | None  # None: every town
    taken: int  # dispute requests made in the period
    closed: int  # closed as done in the period
    outcomes: dict[str, int]  # outcome -> closed disputes (those closed without one are not counted here)

    @property
    def settled_share(self) -> float | None:
        """调结率: settled ÷ closed."""
        return self.outcomes.get(Outcome.SETTLED, 0) / self.closed if self.closed else None


@dataclass(frozen=True)
class SupervisionFigures:
    officers: list[Satisfaction]
    towns: list[Satisfaction]  # each town, then all together
    unrated: list[Officer]  # active officers with no rating yet
    complaints: list[Complaints]  # each kind, then all together
    disputes: list[Disputes]  # each town, then all together
    months: list[tuple[date, list[Disputes]]]  # each month of the period (its first day), as `disputes`


def satisfaction(name: str | None, found: Sequence[Rating]) -> Satisfaction:
    counts = tuple(sum(1 for r in found if r.score == int(s.value)) for s in (Score.SATISFIED, Score.FAIR,
                                                                             Score.UNSATISFIED))
    return Satisfaction(name, (counts[0], counts[1], counts[2]))


def complaints_of(kind: str | None, found: Sequence[Complaint]) -> Complaints:
    hours = [(c.closed_at - c.created_at).total_seconds() / 3600 for c in found if c.closed_at]
    return Complaints(kind, len(found), len(hours), quantile(hours, 0.5), quantile(hours, 0.9))


def supervision_figures(session: Session, span: Span, settings: Settings) -> SupervisionFigures:
    towns = roster.all_towns(session)
    rated = list(session.scalars(select(Rating).where(Rating.at >= span.start, Rating.at < span.end)))
    officers = {o.id: o for o in session.scalars(select(Officer).order_by(Officer.id))}
    by_officer = [
        satisfaction(officers[oid].name, [r for r in rated if r.officer_id == oid])
        for oid in sorted({r.officer_id for r in rated if r.officer_id in officers}, key=lambda i: officers[i].name)
    ]
    by_town = [satisfaction(t.name, [r for r in rated if r.town_id == t.id]) for t in towns]
    ever = set(session.scalars(select(Rating.officer_id).where(Rating.at < span.end).distinct()))
    unrated = [o for o in officers.values() if o.active and o.id not in ever]
    made = list(session.scalars(select(Complaint).where(Complaint.created_at >= span.start,
                                                        Complaint.created_at < span.end)))
    kinds = [complaints_of(k.value, [c for c in made if c.kind == k]) for k in ComplaintKind]
    return SupervisionFigures(
        by_officer,
        [*by_town, satisfaction(None, rated)],
        sorted(unrated, key=lambda o: o.name),
        [*kinds, complaints_of(None, made)],
        dispute_figures(session, span, towns),
        [(month, dispute_figures(session, part, towns)) for month, part in months(span, settings)],
    )


def months(span: Span, settings: Settings) -> list[tuple[date, Span]]:
    """The calendar months the period touches, each as its first day and the part of the period in it."""
    found = []
    first = span.first
    while first <= span.last:
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        last = min(span.last, date.fromordinal(following.toordinal() - 1))
        part = replace(span, first=first, last=last, start=localtime.day_start(first, settings),
                       end=localtime.day_start(date.fromordinal(last.toordinal() + 1), settings))
        found.append((first.replace(day=1), part))
        first = following
    return found


def dispute_figures(session: Session, span: Span, towns: list[Town]) -> list[Disputes]:
    taken = list(session.scalars(select(Request).where(
        Request.kind == DISPUTE, Request.created_at >= span.start, Request.created_at < span.end)))
    closed = list(session.scalars(select(Request).where(
        Request.kind == DISPUTE, Request.status == store.DONE, Request.closed_at >= span.start,
        Request.closed_at < span.end)))
    ids = [r.id for r in closed]
    found = select(DisputeOutcome.request_id, DisputeOutcome.outcome).where(DisputeOutcome.request_id.in_(ids))
    outcome = {number: value for number, value in session.execute(found)} if ids else {}

    def row(name: str | None, mine: list[Request], done: list[Request]) -> Disputes:
        counts: dict[str, int] = {o.value: 0 for o in Outcome}
        for r in done:
            if r.id in outcome:
                counts[outcome[r.id]] += 1
        return Disputes(name, len(mine), len(done), counts)

    rows = [
        row(t.name, [r for r in taken if r.village.town_id == t.id], [r for r in closed if r.village.town_id == t.id])
        for t in towns
    ]
    return [*rows, row(None, taken, closed)]
