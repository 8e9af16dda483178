"""The report's period: local calendar days, and the UTC moments that bound them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot import localtime
from bot.errors import CunjingError
from bot.settings import Settings
from bot.store.types import utcnow


@dataclass(frozen=True)
class Span:
    first: date  # local days, both included
    last: date
    start: datetime  # UTC: the first day's start
    end: datetime  # UTC: the day after the last one's start (excluded)
    now: datetime  # when the report is made (UTC)
    today: date  # local


def parse_day(text: str) -> date:
    """A date written YYYY-MM-DD (or YYYY/MM/DD)."""
    try:
        return date.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        raise CunjingError(f"{text!r} is not a date: write it as YYYY-MM-DD") from None


def span(settings: Settings, first: date | None = None, last: date | None = None, now: datetime | None = None) -> Span:
    """The days `first`..`last`; by default the last `report.days` days up to today."""
    now = now or utcnow()
    today = localtime.local_date(now, settings)
    last = last or (today if first is None else max(first, today))
    first = first or last - timedelta(days=settings.report.days - 1)
    if first > last:
        raise CunjingError(f"the period starts ({first}) after it ends ({last})")
    end = localtime.day_start(last + timedelta(days=1), settings)
    return Span(first, last, localtime.day_start(first, settings), end, now, today)
