"""The bot's measurements, defined once, in the Prometheus text format (`/metrics`, bot/channels/telegram/monitor.py).

The conversation core runs in a child process (bot/core/core_process.py). Rather than
prometheus_client's multiprocess mode (a directory of mmap files that every process writes and every
scrape reads and merges, to be cleaned at each start, and no gauges with live values), the core
*notes* what happened during a turn — `note("fallbacks")` — and the notes ride back with the
turn's outcome; the channel's process counts them (`count`). Without a collector (the core in a
thread of the channel's process, the timers, the channel itself) a note is counted at once.

Cost (benchmarks/metrics.py, this 2-core machine, 2026-12-06, under a load average of 5): a turn's
collector with two notes, pickled back and counted, plus the update counter and the latency
histogram, 8.5-9 µs a message: at the bot's ~500 messages a second, under 0.5 % of one core.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector, generate_latest

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)  # CPU seconds, memory, open files, start time of the bot's process

UPDATES = Counter("cunjing_updates", "Updates handled, by kind of message", ["kind"], registry=REGISTRY)
TURN_SECONDS = Histogram(
    "cunjing_turn_seconds",
    "Seconds from an update's arrival at its handler to its replies sent",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
OUTBOX_PENDING = Gauge("cunjing_outbox_pending", "Outbox rows waiting to be sent", registry=REGISTRY)
OUTBOX_OLDEST_DUE = Gauge(
    "cunjing_outbox_oldest_due_seconds", "Seconds since the earliest pending outbox row fell due (0: none overdue)",
    registry=REGISTRY,
)
FLOOD_LIMITS = Counter("cunjing_telegram_flood_limits", "Telegram's 429 answers (flood limits)", registry=REGISTRY)
FLOOD_WAIT = Counter(
    "cunjing_telegram_retry_after_seconds", "Seconds of retry_after asked by Telegram's 429 answers", registry=REGISTRY
)
CORE_RESTARTS = Counter("cunjing_core_restarts", "Core processes that died and were replaced", registry=REGISTRY)
GETME_OK = Gauge(
    "cunjing_telegram_getme_success_timestamp_seconds", "When Telegram last answered getMe (Unix time)",
    registry=REGISTRY,
)
RETENTION_PURGED = Counter(
    "cunjing_retention_purged_rows", "Rows deleted by the retention (asked questions, scam checks)", ["table"],
    registry=REGISTRY,
)

# counted by name, from a note: the core's (in its process or not) and the timers'
_NOTED: dict[str, Counter] = {
    "questions": Counter("cunjing_questions", "Questions matched against the FAQ", registry=REGISTRY),
    "fallbacks": Counter("cunjing_matcher_fallbacks", "Questions the matcher was not sure of", registry=REGISTRY),
    "verdicts": Counter("cunjing_scam_checks", "Scam checks, by verdict", ["verdict"], registry=REGISTRY),
    "escalations": Counter("cunjing_escalations", "Requests escalated to the duty desk", registry=REGISTRY),
    "alert_deliveries": Counter(
        "cunjing_alert_deliveries", "Officers' alerts to villagers and groups, by result", ["result"],
        registry=REGISTRY,
    ),
}

Note = tuple[str, str, float]  # a `_NOTED` name, its label's value ("": none), the amount
_turn: ContextVar[list[Note] | None] = ContextVar("cunjing_metric_notes", default=None)
T = TypeVar("T")
A = TypeVar("A")


def note(name: str, label: str = "", amount: float = 1.0) -> None:
    """Something countable happened: kept for the turn's outcome when collecting, else counted now."""
    if name not in _NOTED:
        raise KeyError(f"no metric {name!r}")
    notes = _turn.get()
    if notes is None:
        _count(name, label, amount)
    else:
        notes.append((name, label, amount))


def collected(handle: Callable[[A], T], arg: A) -> tuple[T, list[Note]]:
    """`handle(arg)` and what it noted, not yet counted (the core's process sends them to the channel's).
    A turn that raises notes nothing: it changed nothing and is tried again."""
    notes: list[Note] = []
    token = _turn.set(notes)
    try:
        return handle(arg), notes
    finally:
        _turn.reset(token)


def count(notes: Iterable[Note]) -> None:
    for name, label, amount in notes:
        _count(name, label, amount)


def _count(name: str, label: str, amount: float) -> None:
    counter = _NOTED[name]
    (counter.labels(label) if label else counter).inc(amount)


def exposition() -> bytes:
    """Every metric in the Prometheus text format."""
    return generate_latest(REGISTRY)


def value(name: str, **labels: str) -> float:
    """One sample's current value (0 when absent): for tests and the health answer."""
    return REGISTRY.get_sample_value(name, labels) or 0.0
