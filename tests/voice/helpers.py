"""Helpers of the speech tests: plausible durations, fake kiosk time and scripted typing."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from bot import localtime
from bot.settings import Settings

STATION = localtime.zone(Settings())  # the station's time zone as shipped (+8), whatever the machine's


def zh_bounds(chars: int, rate: int) -> tuple[float, float]:
    """Plausible seconds for `chars` Chinese characters at `rate` (one character is one 'word')."""
    nominal = chars * 60 / rate
    return 0.4 * nominal, 1.6 * nominal + 0.5


def en_bounds(words: int, rate: int) -> tuple[float, float]:
    nominal = words * 60 / rate
    return 0.4 * nominal, 1.6 * nominal + 0.5


class FakeClock:
    """Kiosk time that moves only when the fake input says so."""

    def __init__(self, start: datetime) -> None:
        self.t = 0.0
        self.start = start

    def monotonic(self) -> float:
        return self.t

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.t)


class ScriptedInputs:
    """Lines typed at given (fake) times; each wait also lets real time pass for the speech thread."""

    def __init__(
        self, clock: FakeClock, script: list[tuple[float, str]], ready: Callable[[], bool] = lambda: True
    ) -> None:
        self.clock = clock
        self.script = sorted(script)
        self.ready = ready  # time moves and lines are typed only when this holds (e.g. nothing is being said)

    def get(self, timeout: float) -> str | None:
        time.sleep(0.002)
        if not self.ready():
            return None  # speech takes real time: the kiosk's clock waits for it, so runs are repeatable
        if self.script and self.script[0][0] <= self.clock.t + timeout:
            at, line = self.script.pop(0)
            self.clock.t = max(self.clock.t, at)
            return line
        self.clock.t += timeout
        return None


def local(hour: int, minute: int = 0) -> datetime:
    """Today at hour:minute, the station's time, timezone-aware."""
    return datetime.now(STATION).replace(hour=hour, minute=minute, second=0, microsecond=0)
