"""Work the core does on a timer (the channel runs each with its own job queue).

Each task reads what is due from the database, so a restart loses no timer: the first run
after a start catches up on everything that fell due while the bot was down."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.core import duty_remind, escalation, upkeep
from bot.services import Services
from bot.settings import Settings


@dataclass(frozen=True)
class Periodic:
    name: str
    every: Callable[[Settings], float]  # seconds between runs
    run: Callable[[Services], int]  # returns how many messages it queued for the outbox


def _escalation_every(settings: Settings) -> float:
    return max(0.5, min(30.0, settings.routing.accept_within_minutes * 60 / 4))


def _duty_every(settings: Settings) -> float:
    return max(60.0, settings.duty.check_every_minutes * 60)


TASKS: list[Periodic] = [
    Periodic("escalation", _escalation_every, escalation.escalate_due),
    Periodic("duty-reminders", _duty_every, duty_remind.remind_due),
    Periodic("outbox-gauges", lambda settings: 15.0, upkeep.measure_outbox),
    Periodic("retention", lambda settings: 3600.0, upkeep.purge_old),
]
