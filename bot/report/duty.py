"""Officers' village duty in the period: for each officer and each town, how many of the weeks,
months and quarters that count had their contact, visit and deed (see bot/core/duty_rules.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import localtime
from bot.core.duty_rules import KINDS, Compliance, Period, compliance, period_of
from bot.report.period import Span
from bot.settings import Settings
from bot.store import duty, roster
from bot.store.models import Assignment, Officer, Village
from bot.store.models_outreach import DutyLog

FOREVER = date.max


@dataclass
class DutyRow:
    name: str  # the officer's or the town's
    towns: list[str] = field(default_factory=list)
    villages: list[str] = field(default_factory=list)
    by_kind: dict[str, Compliance] = field(default_factory=lambda: {k: Compliance() for k in KINDS})

    @property
    def total(self) -> Compliance:
        return sum(self.by_kind.values(), Compliance())

    def add(self, village: Village, kind: str, result: Compliance) -> None:
        if village.name not in self.villages:
            self.villages.append(village.name)
        if village.town.name not in self.towns:
            self.towns.append(village.town.name)
        self.by_kind[kind] += result


@dataclass(frozen=True)
class DutyFigures:
    officers: list[DutyRow]
    towns: list[DutyRow]
    log: list[tuple[DutyLog, Officer, Village]]  # what was logged in the period

    @property
    def total(self) -> Compliance:
        return sum((row.total for row in self.towns), Compliance())


def held_in(session: Session, span: Span) -> list[Assignment]:
    """Assignments that were open at some time in the period."""
    statement = (
        select(Assignment)
        .where(Assignment.start_at < span.end, (Assignment.end_at.is_(None)) | (Assignment.end_at > span.start))
        .order_by(Assignment.officer_id, Assignment.village_id, Assignment.id)
    )
    return list(session.scalars(statement))


def done_days(session: Session, span: Span, settings: Settings) -> dict[tuple[int, int, str], list[date]]:
    """Local days each (officer, village, kind) was done, over every period touching the span."""
    first = period_of("deed", span.first).start  # the longest periods reach furthest out
    last = period_of("deed", span.last).end
    days: dict[tuple[int, int, str], list[date]] = defaultdict(list)
    start, end = localtime.day_start(first, settings), localtime.day_start(last + timedelta(days=1), settings)
    for row in duty.between(session, start, end):
        if row.village_id is not None:
            days[(row.officer_id, row.village_id, row.kind)].append(localtime.local_date(row.at, settings))
    return days


def held_period(assignment: Assignment, settings: Settings) -> Period:
    """The local days the officer held the village (the last one included)."""
    end = FOREVER
    if assignment.end_at is not None:
        end = localtime.local_date(assignment.end_at, settings) - timedelta(days=1)
    return Period(localtime.local_date(assignment.start_at, settings), end)


def logged(session: Session, span: Span) -> list[tuple[DutyLog, Officer, Village]]:
    rows = []
    for row in duty.between(session, span.start, span.end):
        officer = roster.officer(session, row.officer_id)
        village = roster.village(session, row.village_id) if row.village_id is not None else None
        if officer is not None and village is not None:
            rows.append((row, officer, village))
    return rows


def duty_figures(session: Session, span: Span, settings: Settings) -> DutyFigures:
    days = done_days(session, span, settings)
    officers: dict[int, DutyRow] = {}
    towns = {t.name: DutyRow(t.name) for t in roster.all_towns(session)}
    for assignment in held_in(session, span):
        officer, village = assignment.officer, assignment.village
        row = officers.setdefault(officer.id, DutyRow(officer.name))
        held = held_period(assignment, settings)
        for kind in KINDS:
            done = days.get((officer.id, village.id, kind), [])
            result = compliance(kind, done, span.first, span.last, held, span.today)
            row.add(village, kind, result)
            towns[village.town.name].add(village, kind, result)
    ordered = sorted(officers.values(), key=lambda r: (r.towns[:1], r.name))
    return DutyFigures(ordered, list(towns.values()), logged(session, span))
