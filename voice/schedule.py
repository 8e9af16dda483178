"""When the kiosk speaks a warning, which one, and in which language.

Quiet hours, in the station's time, silence warnings (answers to visitors are still spoken). Officers' alerts come
first: a new one is said at the next slot, then stays in the rotation until it expires.
Within the rotation each item is said in proportion to 1 + its priority, least said first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, tzinfo

from bot.settings import KioskSettings
from voice.alerts import Alert
from voice.playlist import Warning


@dataclass(frozen=True)
class Item:
    """Something to say at a warning slot."""

    key: str  # warning:<id> or alert:<id>
    text: str
    lang: str
    intent: str | None = None
    alert: Alert | None = None


def _hhmm(value: str) -> time:
    hours, _, minutes = value.partition(":")
    return time(int(hours), int(minutes))


def in_quiet_hours(moment: time, quiet: Sequence[str]) -> bool:
    """Whether `moment` falls in [start, end) of the quiet hours; the range may span midnight."""
    if len(quiet) != 2:
        return False
    start, end = _hhmm(quiet[0]), _hhmm(quiet[1])
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


class Schedule:
    """The kiosk's warning rotation and timing; all clock values are passed in, never read here."""

    def __init__(self, settings: KioskSettings, warnings: Sequence[Warning], zone: tzinfo) -> None:
        self.settings = settings
        self.zone = zone  # the station's (bot/localtime.py), not the machine's
        self.warnings = sorted(warnings, key=lambda w: -w.priority)  # ties go to the higher priority
        self.said: dict[str, float] = {}  # key -> times said, divided by its weight
        self.last_slot: float | None = None  # monotonic time of the last warning
        self._lang_turn = 0

    def quiet(self, now: datetime) -> bool:
        """Whether `now` (timezone-aware, any zone) is in the quiet hours of the station's clock."""
        return in_quiet_hours(now.astimezone(self.zone).time(), self.settings.quiet_hours)

    def due(self, mono: float, now: datetime, last_input: float | None, busy: bool) -> bool:
        """Time for a warning: interval passed, visitor idle, nothing being said, not quiet hours."""
        if busy or self.quiet(now):
            return False
        if last_input is not None and mono - last_input < self.settings.idle_seconds:
            return False
        return self.last_slot is None or mono - self.last_slot >= self.settings.interval_seconds

    def next(self, mono: float, alerts: Sequence[Alert] = ()) -> Item | None:
        """The item for this slot (counted as said); None when there is nothing to say."""
        weighted = [(f"alert:{a.id}", 1, a) for a in alerts] + [
            (f"warning:{w.id}", 1 + w.priority, w) for w in self.warnings
        ]
        if not weighted:
            return None
        floor = min((self.said[k] for k, _, _ in weighted if k in self.said), default=0.0)
        for key, _, _ in weighted:
            # a newcomer joins level with the least said, not at zero (it would be said over and over);
            # alerts come first in the list, so a new alert wins the tie and is said next
            self.said.setdefault(key, floor)
        key, weight, source = min(weighted, key=lambda entry: self.said[entry[0]])
        self.said[key] += 1 / weight
        self.last_slot = mono
        if isinstance(source, Alert):
            return Item(key, source.text, source.lang, alert=source)
        lang = self.settings.languages[self._lang_turn % len(self.settings.languages)]
        self._lang_turn += 1
        return Item(key, source.text.get(lang), lang, intent=source.intent)
