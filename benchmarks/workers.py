"""Past one machine: one, two and three webhook workers behind a reverse proxy on one PostgreSQL.

Run by hand: `.venv/bin/python benchmarks/workers.py [--workers 1 2 3] [--recipients 600]`
(PostgreSQL at `--database-url`, default the test server; a scratch schema per run, dropped after).
Each worker is `cunjing run` in webhook mode in its own process; the proxy (tests/fakes/webhook.py)
hands the fake Bot API's updates to them in turn. For each number of workers:
  1. answered: `--burst` villagers' questions queued at once; answered messages a second and p95
     (Telegram's limits off and the bot's overall pace raised, as in bot_load.py: the CPU is the limit);
  2. cards: `--requests` villagers open a request each (cards to officers and the duty desks), with
     Telegram's limits enforced: 429s met;
  3. alert: an alert to `--recipients` villagers with the limits enforced: pace at the fake, 429s;
  4. kill (two workers or more): another alert, the worker holding the send lease killed -9 a third
     of the way; the others take over: duplicates and villagers missed.
Prints one table; about 4 minutes for 1, 2 and 3 workers with the defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from benchmarks.alerts import busiest_second, rate  # noqa: E402
from benchmarks.bot_load import CODES, DESKS, OFFICERS, Load, people, percentile, wait_answered  # noqa: E402
from benchmarks.scratch import scratch_database  # noqa: E402
from bot.logs import setup_logging  # noqa: E402
from bot.settings import DatabaseSettings  # noqa: E402
from bot.store import db  # noqa: E402
from bot.store.models_outreach import AlertDelivery  # noqa: E402
from intents.faq import load_faq  # noqa: E402
from tests.bot.channels.telegram import as_run  # noqa: E402
from tests.bot.channels.telegram.as_workers import (  # noqa: E402
    ADMIN,
    add_villagers,
    alert_status,
    lease_holder_pid,
    proxy,
    queue_alert,
    workers,
)
from tests.fakes import FakeBotApi  # noqa: E402

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
VILLAGERS = 200_000  # the burst's villagers' user ids
ALERTED = 2_000_000  # the alerts' villagers' user ids
TARGET_SCALE, TARGET_ALERT = 1.6, 28.5
CONNECTIONS = 16  # updates the proxy has under way at once (Telegram's max_connections: 40 by default)
Row = tuple[str, str]


async def until(condition: Callable[[], object], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def started(api: FakeBotApi, count: int) -> None:
    if not await until(lambda: api.counts["setWebhook"] >= count and api.webhook.get("url"), 90):
        raise SystemExit("the workers did not start")


async def answered(url: str, count: int, burst: int, questions: list[str], workdir: Path) -> tuple[float, float]:
    """Answered messages a second and p95 (s) for a burst of questions through `count` workers."""
    with scratch_database(url, workdir) as database:
        async with FakeBotApi(settle_timeout=60, strict_chats=False) as api:
            people = [api.user(VILLAGERS + i, f"村民{i}", "zh") for i in range(100)]
            load = Load(api, people, questions, random.Random(7))
            overall = {"CUNJING_TELEGRAM__OVERALL_PER_SECOND": "1000"}
            with workers(api, workdir / f"a{count}", database, count, **overall) as (_, listeners):
                async with proxy(api, listeners, CONNECTIONS):
                    await started(api, count)
                    for person in people:
                        await load.say(person, f"/start {CODES[person.id % len(CODES)]}")
                    await wait_answered(load, 60)
                    load.sent.clear()
                    begin = asyncio.get_running_loop().time()
                    for n in range(burst):
                        await load.say(people[n % len(people)], questions[n % len(questions)])
                    await wait_answered(load, 120)
        done = [s for s in load.sent if s.answered is not None]
        end = max(s.answered for s in done)  # type: ignore[type-var]
        latencies = [s.answered - s.at for s in done]  # type: ignore[operator]
        return len(done) / (end - begin), percentile(latencies, 0.95)


def deliveries(factory: sessionmaker[Session], number: int) -> set[int]:
    with factory() as session:
        return set(session.scalars(select(AlertDelivery.chat_id).where(AlertDelivery.alert_id == number)))


async def limited(url: str, count: int, args: argparse.Namespace, workdir: Path) -> list[Row]:
    """Cards, an alert and (two workers or more) a kill, with Telegram's limits enforced."""
    with scratch_database(url, workdir) as database:
        async with FakeBotApi(enforce_limits=True, strict_chats=False, settle_timeout=60) as api:
            return await limited_run(api, database, count, args, workdir)


async def limited_run(
    api: FakeBotApi, database: DatabaseSettings, count: int, args: argparse.Namespace, workdir: Path
) -> list[Row]:
    api.user(ADMIN, "管理员")
    villagers = people(api, args.requests, VILLAGERS)
    engine = db.make_engine(database)
    factory = db.session_factory(engine)
    rows: list[Row] = []
    with workers(api, workdir / f"b{count}", database, count) as (processes, listeners):
        async with proxy(api, listeners):
            await started(api, count)
            # 2. cards: every villager opens a request (after registering, one a second each)
            for person in villagers:
                await person.send(f"/start {CODES[person.id % len(CODES)]}", settle=False)
            await asyncio.sleep(3)  # a villager's chat takes one message a second: the welcome's two went out
            hits = len(api.limit_hits)
            for person in villagers:
                await person.send(f"/request id_card_lost 身份证丢了（{person.id}）", settle=False)
            # a card goes to the village's officer, or to the duty desk when the officer is off duty
            cards = lambda: sum(1 for m in api.messages if m.chat_id in (*OFFICERS, *DESKS))  # noqa: E731
            await until(lambda: cards() >= len(villagers), 120)
            met = Counter("cards" if chat in (*OFFICERS, *DESKS) else "replies" for _, chat, _ in api.limit_hits[hits:])
            rows.append(("cards to officers and desks / 429", f"{cards()} of {len(villagers)} / {met['cards']}"))
            rows.append(("villagers' direct replies: 429", f"{met['replies']}"))

            # 3. an alert, every worker up
            add_villagers(factory, args.recipients, ALERTED)
            mark, before = len(api.messages), api.count_429
            number = queue_alert(factory)
            await until(lambda: alert_status(factory, number) == "done", args.recipients / 20 + 60)
            times = [m.sent_at for m in api.messages[mark:] if m.chat_id >= ALERTED or m.chat_id >= VILLAGERS]
            got = Counter(m.chat_id for m in api.messages[mark:] if m.chat_id in deliveries(factory, number))
            rows.append(("alert: pace at the fake / busiest second",
                         f"{rate(sorted(times)):.1f} msg/s / {busiest_second(times)} ({len(got)} recipients)"))
            rows.append(("alert: 429 / duplicates", f"{api.count_429 - before} / {sum(n - 1 for n in got.values())}"))

            # 4. kill -9 the sender a third of the way through another alert
            if count > 1:
                mark, before = len(api.messages), api.count_429
                number = queue_alert(factory)
                expected = deliveries(factory, number)
                sent = lambda: {m.chat_id for m in api.messages[mark:] if m.chat_id in expected}  # noqa: E731
                await until(lambda: len(sent()) >= len(expected) // 3, 120)
                pid = lease_holder_pid(factory)
                killed_at = time.monotonic()
                os.kill(pid or 0, signal.SIGKILL)
                [killed] = [p for p in processes if p.pid == pid]
                killed.wait()
                await until(lambda: lease_holder_pid(factory) not in (None, pid), 30)
                took_over = time.monotonic() - killed_at
                await until(lambda: alert_status(factory, number) == "done", args.recipients / 20 + 120)
                got = Counter(m.chat_id for m in api.messages[mark:] if m.chat_id in expected)
                rows.append(("kill -9: lease taken over after", f"{took_over:.1f} s"))
                rows.append(("kill -9: duplicates / lost / 429",
                             f"{sum(n - 1 for n in got.values())} / {len(expected - set(got))} / "
                             f"{api.count_429 - before}"))
            for process in processes:
                if process.poll() is None:
                    await as_run.interrupt(process, workdir / f"b{count}" / f"worker{processes.index(process)}")
    engine.dispose()
    return rows


async def bench(args: argparse.Namespace, workdir: Path) -> int:
    faq = load_faq(ROOT / "faq")
    questions = [e for i in faq.intents.values() for e in i.examples if not e.startswith("/")]
    random.Random(3).shuffle(questions)
    table: dict[int, list[Row]] = {}
    rates: dict[int, float] = {}
    for count in args.workers:
        handled, p95 = await answered(args.database_url, count, args.burst, questions, workdir)
        rates[count] = handled
        table[count] = [(f"answered (burst of {args.burst})", f"{handled:.0f} msg/s, p95 {p95 * 1000:.0f} ms")]
        table[count] += await limited(args.database_url, count, args, workdir)
        print(f"{count} worker(s) done", file=sys.stderr, flush=True)
    names = [name for count in args.workers for name, _ in table[count]]
    width = max(len(n) for n in names)
    print(f"{'':<{width}}  " + "  ".join(f"{c} worker(s)".ljust(34) for c in args.workers))
    for name in dict.fromkeys(names):
        cells = [dict(table[c]).get(name, "-") for c in args.workers]
        print(f"{name:<{width}}  " + "  ".join(cell.ljust(34) for cell in cells))
    if 1 in rates and 2 in rates:
        print(f"two workers answer {rates[2] / rates[1]:.2f} × one (target ≥ {TARGET_SCALE} when the CPU is the limit)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--recipients", type=int, default=600)
    parser.add_argument("--burst", type=int, default=1500)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database-url", default=PG_URL)
    args = parser.parse_args()
    setup_logging(logging.ERROR)
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    with tempfile.TemporaryDirectory() as workdir, contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(bench(args, Path(workdir)))
    return 1


if __name__ == "__main__":
    sys.exit(main())
