"""The station's local time: stored times are UTC; dates people talk about are local."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

from bot.settings import Settings


def zone(settings: Settings) -> timezone:
    """The station's time zone (a fixed offset: China keeps no daylight saving)."""
    return timezone(timedelta(hours=settings.app.utc_offset_hours))


def local(moment: datetime, settings: Settings) -> datetime:
    """A stored UTC time in local time."""
    return moment.astimezone(zone(settings))


def local_date(moment: datetime, settings: Settings) -> date:
    """The local calendar day of a stored UTC time."""
    return local(moment, settings).date()


def day_start(day: date, settings: Settings) -> datetime:
    """The UTC moment a local day begins."""
    return datetime.combine(day, time(), zone(settings)).astimezone(UTC)


def naive_local(moment: datetime | None, settings: Settings) -> datetime | None:
    """Local time without a zone, for spreadsheets (Excel knows no time zones)."""
    return None if moment is None else local(moment, settings).replace(tzinfo=None)
