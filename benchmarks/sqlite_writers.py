"""Two processes writing one SQLite file: how long the light writer waits for its turn.

Run by hand: `.venv/bin/python benchmarks/sqlite_writers.py [--writes 400]`.
As in the bot: one process (the core) takes write transaction after write transaction, each
holding the lock about 2 ms (a turn: the matcher runs inside it); the other (the channel) writes
a small row every 5 ms (the inbox, the outbox) and times how long each write waits. With SQLite's
busy handler alone the light writer starves (its sleeps of up to 100 ms always lose the race, and
after 5 s it fails with "database is locked"); with the lock files of bot/store/db.py it waits
about one transaction of the other.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOLD = 0.002  # seconds the busy writer holds the lock per transaction


def engine(path: Path) -> Engine:
    from bot.settings import DatabaseSettings
    from bot.store import db

    return db.make_engine(DatabaseSettings(url="", path=path))


def busy(path: Path, stop: Any) -> None:
    """The core: write transactions back to back, each holding the lock `HOLD` seconds."""
    writer = engine(path)
    while not stop.is_set():
        with writer.begin() as connection:
            connection.execute(text("INSERT INTO t (v) VALUES (1)"))
            until = time.perf_counter() + HOLD
            while time.perf_counter() < until:
                pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writes", type=int, default=400)
    args = parser.parse_args()
    path = Path(tempfile.mkdtemp()) / "writers.db"
    light = engine(path)
    with light.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)"))
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    other = context.Process(target=busy, args=(path, stop))
    other.start()
    time.sleep(1.5)  # its start-up
    waits, failed = [], 0
    for _ in range(args.writes):
        began = time.perf_counter()
        try:
            with light.begin() as connection:
                connection.execute(text("INSERT INTO t (v) VALUES (2)"))
            waits.append((time.perf_counter() - began) * 1000)
        except Exception as exc:  # noqa: BLE001 - "database is locked": the figure this measures
            failed += 1
            print(f"write failed after {time.perf_counter() - began:.1f} s: {exc}", file=sys.stderr)
        time.sleep(0.005)
    stop.set()
    other.join()
    waits.sort()
    if waits:
        p = [waits[min(len(waits) - 1, int(len(waits) * q))] for q in (0.5, 0.9, 0.99)]
        print(
            f"light writer's wait: p50 {p[0]:.2f} / p90 {p[1]:.2f} / p99 {p[2]:.2f} / max {waits[-1]:.2f} ms"
            f" (mean {statistics.fmean(waits):.2f} ms)"
        )
    print(f"writes: {len(waits)} of {args.writes} done, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
