"""The program's duty rules, per officer and village: contact the village cadres every week,
work on site every month, do one practical deed every quarter. Calendar periods in local time:
a duty is due by the last day of its period, and a period is judged once it has ended."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.store.models_outreach import DutyKind

KINDS = (DutyKind.CONTACT.value, DutyKind.VISIT.value, DutyKind.DEED.value)
PERIOD = {DutyKind.CONTACT.value: "week", DutyKind.VISIT.value: "month", DutyKind.DEED.value: "quarter"}


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive: the duty is due by the end of this day

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def period_of(kind: str, day: date) -> Period:
    """The week (Monday to Sunday), month or quarter of `day` for this kind of duty."""
    unit = PERIOD[kind]
    if unit == "week":
        start = day - timedelta(days=day.weekday())
        return Period(start, start + timedelta(days=6))
    first_month = day.month if unit == "month" else 3 * ((day.month - 1) // 3) + 1
    last_month = first_month if unit == "month" else first_month + 2
    return Period(date(day.year, first_month, 1), _month_end(day.year, last_month))


def periods(kind: str, first: date, last: date) -> list[Period]:
    """Every period of this kind that overlaps the days `first`..`last`, in order."""
    found: list[Period] = []
    day = first
    while day <= last:
        period = period_of(kind, day)
        found.append(period)
        day = period.end + timedelta(days=1)
    return found


@dataclass(frozen=True)
class DutyStatus:
    kind: str
    last: date | None  # the last day this duty was done, if ever
    done: bool  # done in the current period
    due: date  # by when the next one is needed: this period's end, or the next one's when done


def status(kind: str, last: date | None, today: date) -> DutyStatus:
    """Where one duty stands today."""
    current = period_of(kind, today)
    done = last is not None and last >= current.start
    due = period_of(kind, current.end + timedelta(days=1)).end if done else current.end
    return DutyStatus(kind, last, done, due)


@dataclass(frozen=True)
class Compliance:
    judged: int = 0  # periods that count
    done: int = 0  # of which the duty was done

    @property
    def share(self) -> float | None:
        """Done / judged, or None when nothing could be judged."""
        return self.done / self.judged if self.judged else None

    def __add__(self, other: Compliance) -> Compliance:
        return Compliance(self.judged + other.judged, self.done + other.done)


def compliance(kind: str, days_done: Iterable[date], first: date, last: date, held: Period, today: date) -> Compliance:
    """Periods ending in `first`..`last` that the officer held the village for in full (`held`),
    judged once ended; the running period counts only once done (it is never a miss)."""
    done_days = sorted(set(days_done))
    total = Compliance()
    for period in periods(kind, first, last):
        was_done = any(day in period for day in done_days)
        if period.end >= today:  # still running: credit given early, never a miss
            judged = was_done
        else:
            judged = period.end <= last and period.start >= held.start and period.end <= held.end
        if judged:
            total += Compliance(1, int(was_done))
    return total
