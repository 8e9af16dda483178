"""Past one machine: one, two and three webhook workers behind a reverse proxy on one PostgreSQL.

Run by hand: `.venv/bin/python benchmarks/workers.py [--workers 1 2 3] [--recipients 600]`
(PostgreSQL at `--database-url`, default the test server; a scratch schema per run, dropped after).
Each worker is `cunjing run` in webhook mode in its own process; the proxy (tests/fakes/webhook.py)
hands the fake Bot API's updates to them in turn. For each number of workers:
  1. answered: `--burst` villagers' questions queued at once; answered messages a second and p95
     (Telegram's limits off and the bot's overall pace raised, as in bot_load.py: the CPU is the limit),
     and what decides scaling when the CPU is the limit: the workers' CPU a message (channel and core
     processes, summed over the workers, from /proc), their PostgreSQL backends' and the fake's.
     Two workers on twice the CPU answer 2 × (CPU a message, one worker) / (CPU a message, two).
     `--rounds` bursts per number of workers, interleaved; medians. Where the OS allows it (`--pin`),
     also one worker confined to core 0 against two workers on cores 0 and 1 (the fake, the proxy
     and PostgreSQL are not pinned: they share those cores). The core runs in a process of its own
     as config.yaml has it (`--no-core-process`: in a thread, as the steps below and the tests run it);
  2. cards: `--requests` villagers open a request each (cards to officers and the duty desks), with
     Telegram's limits enforced: 429s met;
  3. alert: an alert to `--recipients` villagers with the limits enforced: pace at the fake, 429s;
  4. kill (two workers or more): another alert, the worker holding the send lease killed -9 a third
     of the way; the others take over: duplicates and villagers missed.
Prints one table; about 12 minutes for 1, 2 and 3 workers with the defaults (`--no-limits`: the bursts only).
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
from benchmarks.bot_load import (  # noqa: E402
    CODES,
    DESKS,
    OFFICERS,
    Load,
    people,
    percentile,
    wait_answered,
)
from benchmarks.scratch import scratch_database  # noqa: E402
from benchmarks.worker_cpu import Answered, backends_cpu, median, pin, workers_cpu  # noqa: E402
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
IDLE_SECONDS = 5.0  # the workers' CPU with nothing to answer, measured over this long
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


async def answered(url: str, count: int, args: argparse.Namespace, questions: list[str], workdir: Path,
                   cores: list[int] | None = None) -> Answered:
    """A burst of questions through `count` workers (each on a core of its own with `cores`)."""
    burst, home = args.burst, Path(tempfile.mkdtemp(prefix=f"a{count}{'p' if cores else ''}", dir=workdir))
    with scratch_database(url, workdir) as database:
        async with FakeBotApi(settle_timeout=60, strict_chats=False) as api:
            people = [api.user(VILLAGERS + i, f"村民{i}", "zh") for i in range(100)]
            load = Load(api, people, questions, random.Random(7))
            overall = {"CUNJING_TELEGRAM__OVERALL_PER_SECOND": "1000",
                       "CUNJING_TELEGRAM__CORE_PROCESS": str(args.core_process).lower()}
            with workers(api, home, database, count, **overall) as (processes, listeners):
                if cores:
                    pin(processes, cores)  # at once: the threads and the core's process started later inherit it
                async with proxy(api, listeners, args.connections):
                    await started(api, count)
                    if cores:
                        pin(processes, cores)  # and again, for anything started before
                    for person in people:
                        await load.say(person, f"/start {CODES[person.id % len(CODES)]}")
                    await wait_answered(load, 60)
                    load.sent.clear()
                    idle, quiet = workers_cpu(processes), time.monotonic()
                    await asyncio.sleep(IDLE_SECONDS)
                    idle_cpu = sum(workers_cpu(processes)) - sum(idle)
                    idle_cpu /= time.monotonic() - quiet
                    spent, ours = workers_cpu(processes), time.process_time()
                    backends = backends_cpu(processes, url)
                    begin = asyncio.get_running_loop().time()
                    for n in range(burst):
                        await load.say(people[n % len(people)], questions[n % len(questions)])
                    await wait_answered(load, 120)
                    after, ours = workers_cpu(processes), time.process_time() - ours
                    database_cpu = sum(t - backends.get(pid, 0.0) for pid, t in backends_cpu(processes, url).items())
        done = [s for s in load.sent if s.answered is not None]
        end = max(s.answered or 0.0 for s in done)
        latencies = [s.answered - s.at for s in done]  # type: ignore[operator]
        n = len(done)
        return Answered(n / (end - begin), percentile(latencies, 0.95), (after[0] - spent[0]) / n,
                        (after[1] - spent[1]) / n, idle_cpu, ours / n, database_cpu / n)


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


def cpu_rows(runs: dict[int, Answered], burst: int) -> list[tuple[int, list[Row]]]:
    """The burst's rows per number of workers: its pace, and the CPU that decides scaling."""
    one = runs.get(1)
    out = []
    for count, run in runs.items():
        rows = [(f"answered (burst of {burst})", f"{run.rate:.0f} msg/s, p95 {run.p95 * 1000:.0f} ms"),
                ("workers' CPU a message, channel + core", f"{run.cpu * 1000:.2f} ms "
                 f"({run.channel * 1000:.2f} + {run.core * 1000:.2f})"),
                ("… idle, all workers together", f"{run.idle * 100:.1f} % of a core"),
                ("PostgreSQL backends' CPU a message (at least)", f"{run.database * 1000:.2f} ms"),
                ("fake Bot API + proxy CPU a message", f"{run.fake * 1000:.2f} ms")]
        if one is not None:
            efficiency = one.cpu / run.cpu
            rows.append(("CPU scaling: efficiency / N × it", f"{efficiency:.2f} / {count * efficiency:.2f} × one"))
        out.append((count, rows))
    return out


def print_table(table: dict[int, list[Row]]) -> None:
    counts = list(table)
    names = [name for count in counts for name, _ in table[count]]
    width = max(len(n) for n in names)
    print(f"{'':<{width}}  " + "  ".join(f"{c} worker(s)".ljust(34) for c in counts))
    for name in dict.fromkeys(names):
        cells = [dict(table[c]).get(name, "-") for c in counts]
        print(f"{name:<{width}}  " + "  ".join(cell.ljust(34) for cell in cells))


async def bench(args: argparse.Namespace, workdir: Path) -> int:
    faq = load_faq(ROOT / "faq")
    questions = [e for i in faq.intents.values() for e in i.examples if not e.startswith("/")]
    random.Random(3).shuffle(questions)
    rounds: dict[int | str, list[Answered]] = {}
    pinning = args.pin and hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) >= 2
    for n in range(args.rounds):  # interleaved, so that a busy minute elsewhere falls on every count alike
        for count in args.workers:
            rounds.setdefault(count, []).append(await answered(args.database_url, count, args, questions, workdir))
        if pinning:
            for count in (1, 2):
                run = await answered(args.database_url, count, args, questions, workdir, cores=[0, 1][:count])
                rounds.setdefault(f"{count}p", []).append(run)
        print(f"round {n + 1} of {args.rounds} done", file=sys.stderr, flush=True)
    runs = {count: median(rounds[count]) for count in args.workers}
    table: dict[int, list[Row]] = dict(cpu_rows(runs, args.burst))
    for count in args.workers if not args.no_limits else []:
        table[count] += await limited(args.database_url, count, args, workdir)
        print(f"{count} worker(s): limits done", file=sys.stderr, flush=True)
    print(f"the core {'in a process of its own' if args.core_process else 'in a thread'} for the burst; "
          f"medians of {args.rounds} rounds; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print_table(table)
    for key, each in rounds.items():
        print(f"by round, {key} worker(s): " + ", ".join(f"{r.rate:.0f} msg/s {r.cpu * 1000:.2f} ms" for r in each))
    if 1 in runs and 2 in runs:
        print(f"two workers answer {runs[2].rate / runs[1].rate:.2f} × one by the clock; by the CPU a message, "
              f"two workers on twice the CPU answer {2 * runs[1].cpu / runs[2].cpu:.2f} × one "
              f"(target ≥ {TARGET_SCALE} when the CPU is the limit)")
    if pinning:
        alone, pair = median(rounds["1p"]), median(rounds["2p"])
        print(f"pinned (each worker, channel and core, on one core; the fake, the proxy and PostgreSQL on any): "
              f"1 worker on core 0 {alone.rate:.0f} msg/s ({alone.cpu * 1000:.2f} ms CPU a message), "
              f"2 workers on cores 0 and 1 {pair.rate:.0f} msg/s ({pair.cpu * 1000:.2f} ms): "
              f"{pair.rate / alone.rate:.2f} × one; by round: "
              + ", ".join(f"{p.rate / a.rate:.2f}" for a, p in zip(rounds["1p"], rounds["2p"], strict=True)))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--recipients", type=int, default=600)
    parser.add_argument("--burst", type=int, default=600)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database-url", default=PG_URL)
    parser.add_argument("--core-process", action=argparse.BooleanOptionalAction, default=True,
                        help="the core in a process of its own for the burst, as config.yaml has it")
    parser.add_argument("--pin", action=argparse.BooleanOptionalAction, default=True,
                        help="also a burst with one worker on one core, and two on one core each")
    parser.add_argument("--connections", type=int, default=CONNECTIONS, help="updates under way at once, all workers")
    parser.add_argument("--rounds", type=int, default=3, help="bursts per number of workers (medians)")
    parser.add_argument("--no-limits", action="store_true", help="the bursts only: no cards, alerts, kill")
    args = parser.parse_args()
    setup_logging(logging.ERROR)
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    with tempfile.TemporaryDirectory() as workdir, contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(bench(args, Path(workdir)))
    return 1


if __name__ == "__main__":
    sys.exit(main())
