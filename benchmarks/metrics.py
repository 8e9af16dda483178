"""What the metrics cost a message (bot/metrics.py): the core's notes collected, pickled back with
the outcome and counted, the update counter and the turn's latency histogram.

Run by hand: `.venv/bin/python benchmarks/metrics.py`. Prints microseconds a message.
"""

from __future__ import annotations

import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot import metrics  # noqa: E402

MESSAGES = 200_000


def turn(_: object) -> str:
    metrics.note("questions")  # a question matched...
    metrics.note("fallbacks")  # ...and not sure of: two notes, more than most turns make
    return "outcome"


def one_message() -> None:
    started = time.perf_counter()
    outcome, notes = pickle.loads(pickle.dumps(metrics.collected(turn, None), pickle.HIGHEST_PROTOCOL))
    metrics.count(notes)
    metrics.UPDATES.labels("text").inc()
    metrics.TURN_SECONDS.observe(time.perf_counter() - started)


def bare() -> None:  # the same round trip without metrics: what the pickle costs anyway
    pickle.loads(pickle.dumps((True, "outcome"), pickle.HIGHEST_PROTOCOL))


def per_message(work: object) -> float:
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(MESSAGES):
            work()  # type: ignore[operator]
        best = min(best, time.perf_counter() - started)
    return best / MESSAGES * 1e6


def main() -> None:
    with_metrics, without = per_message(one_message), per_message(bare)
    print(f"metrics: {with_metrics - without:.1f} µs a message ({with_metrics:.1f} with, {without:.1f} without)")


if __name__ == "__main__":
    main()
