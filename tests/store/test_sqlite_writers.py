"""SQLite's writers inside one process take turns rather than sleeping in SQLite's busy handler."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from bot.settings import DatabaseSettings
from bot.store.db import make_engine, session_factory, upgrade
from bot.store.models import SeenUpdate
from bot.store.sql import insert_ignore
from bot.store.types import utcnow

THREADS, EACH = 8, 25
ROOT = Path(__file__).resolve().parents[2]


def impatient_engine(path: Path) -> Any:
    """An engine whose connections give up at once when SQLite says the database is locked."""
    engine = make_engine(DatabaseSettings(path=path))

    @event.listens_for(engine, "connect")
    def no_patience(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=0")

    return engine


def test_threads_writing_at_once_all_get_their_turn(tmp_path: Path) -> None:
    engine = impatient_engine(tmp_path / "writers.sqlite3")
    upgrade(engine)
    factory = session_factory(engine)
    failures: list[BaseException] = []

    def writer(first: int) -> None:
        for n in range(first, first + EACH):
            try:
                with factory.begin() as session:
                    insert_ignore(session, SeenUpdate, {"update_id": n, "at": utcnow()}, ["update_id"])
                    time.sleep(0.001)  # hold the write lock a moment, as a turn does
            except BaseException as exc:  # noqa: BLE001 - every failure is the finding
                failures.append(exc)

    threads = [threading.Thread(target=writer, args=(i * 1000,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM seen_updates")).scalar_one()
    engine.dispose()
    assert [str(f)[:80] for f in failures] == []
    assert stored == THREADS * EACH


def test_a_failed_transaction_lets_the_next_writer_in(tmp_path: Path) -> None:
    engine = impatient_engine(tmp_path / "rollback.sqlite3")
    upgrade(engine)
    factory = session_factory(engine)
    try:
        with factory.begin() as session:
            insert_ignore(session, SeenUpdate, {"update_id": 1, "at": utcnow()}, ["update_id"])
            raise RuntimeError("a bug mid-turn")
    except RuntimeError:
        pass
    done = threading.Event()

    def next_writer() -> None:
        with factory.begin() as session:
            insert_ignore(session, SeenUpdate, {"update_id": 2, "at": utcnow()}, ["update_id"])
        done.set()

    threading.Thread(target=next_writer).start()
    assert done.wait(3), "the lock of the rolled-back transaction was never released"
    with engine.connect() as connection:
        assert connection.execute(text("SELECT update_id FROM seen_updates")).scalars().all() == [2]
    engine.dispose()


# the core's side: write transactions back to back, each holding the lock 2 ms, for a while;
# prints how many it could not start
BUSY_PROCESS = """
import sys, time
from pathlib import Path
from sqlalchemy import event, text
from bot.settings import DatabaseSettings
from bot.store.db import make_engine
engine = make_engine(DatabaseSettings(path=Path(sys.argv[1])))
event.listen(engine, "connect", lambda c, _r: c.execute("PRAGMA busy_timeout=0"))
failed, n, end = 0, 1_000_000, time.monotonic() + float(sys.argv[2])
print("ready", flush=True)
while time.monotonic() < end:
    n += 1
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO seen_updates (update_id, at) VALUES (:n, '2026-01-01')"), {"n": n})
            until = time.perf_counter() + 0.002
            while time.perf_counter() < until:
                pass
    except Exception:
        failed += 1
print(failed, flush=True)
"""


def test_a_process_writing_without_pause_does_not_starve_the_other(tmp_path: Path) -> None:
    """The channel and the core write one file; the core takes turn after turn. Neither waits in
    SQLite's busy handler (given none here): the lock files beside the database take them in turn."""
    path = tmp_path / "two.sqlite3"
    engine = impatient_engine(path)
    upgrade(engine)
    factory = session_factory(engine)
    busy = subprocess.Popen(
        [sys.executable, "-c", BUSY_PROCESS, str(path), "4"], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert busy.stdout is not None and busy.stdout.readline().strip() == "ready"
    failures = 0
    for n in range(40):
        try:
            with factory.begin() as session:
                insert_ignore(session, SeenUpdate, {"update_id": 10_000 + n, "at": utcnow()}, ["update_id"])
        except Exception:  # noqa: BLE001 - "database is locked": what this counts
            failures += 1
        time.sleep(0.005)
    out, _ = busy.communicate(timeout=60)
    assert failures == 0
    assert out.strip() == "0"  # nor did the busy one ever miss its turn
