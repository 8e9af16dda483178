"""Officers' alerts for the kiosk, from any source: the database, a test's list, a future channel.

The kiosk asks `AlertFeed.active(now)` at each warning slot; the feed reads its source at most
every `poll_seconds` (a database query per second would be waste) and keeps the unexpired
alerts. `mark_spoken` reports each alert said, e.g. to count it in the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Alert:
    id: str
    text: str
    lang: str
    expires_at: datetime
    created_at: datetime | None = None
    created_by: str = ""
    spoken_count: int = 0


def expiry(created_at: datetime, alert_days: float) -> datetime:
    """When an alert created at `created_at` leaves the rotation (`kiosk.alert_days` later)."""
    return created_at + timedelta(days=alert_days)


AlertSource = Callable[[], Iterable[Alert]]


class AlertFeed:
    """The unexpired alerts of a source, newest first, re-read at most every `poll_seconds`."""

    def __init__(
        self,
        source: AlertSource,
        poll_seconds: float = 30.0,
        mark_spoken: Callable[[Alert], None] | None = None,
    ) -> None:
        self.source = source
        self.poll_seconds = poll_seconds
        self.mark_spoken = mark_spoken
        self._alerts: list[Alert] = []
        self._read_at: float | None = None
        self._error = ""

    def active(self, now: datetime, mono: float) -> list[Alert]:
        """The alerts not expired at `now`; a failing source keeps the last good list (logged)."""
        if self._read_at is None or mono - self._read_at >= self.poll_seconds:
            self._read_at = mono
            try:
                self._alerts = sorted(self.source(), key=lambda a: a.created_at or a.expires_at, reverse=True)
            except Exception as exc:  # a database hiccup must not stop the kiosk
                error = (str(exc).splitlines() or [type(exc).__name__])[0]
                if error != self._error:  # once per kind of failure, not every poll for weeks
                    log.warning("cannot read the kiosk alerts (is the database upgraded?): %s", error)
                self._error = error
            else:
                self._error = ""
        return [a for a in self._alerts if a.expires_at > now]

    def spoken(self, alert: Alert) -> None:
        """Report that `alert` was said (best effort)."""
        if self.mark_spoken is None:
            return
        try:
            self.mark_spoken(alert)
        except Exception as exc:
            log.warning("cannot count kiosk alert %s as spoken: %s", alert.id, exc)


def from_list(alerts: Iterable[Alert]) -> AlertSource:
    """A source that always returns `alerts` (tests, a kiosk without a database)."""
    kept = list(alerts)
    return lambda: kept
