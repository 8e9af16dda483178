"""How many villagers' messages a second the Telegram bot answers, and how fast.

Run by hand: `.venv/bin/python benchmarks/bot_load.py [--rate 200] [--seconds 10] [--villagers 200]`.
The real bot runs as in production (`bot.channels.telegram.app.run`, long polling, the core in a
child process) in its own process, on a temporary SQLite database with the demo roster (or a scratch schema in the
PostgreSQL database of `--database-url`, e.g. postgresql://postgres@127.0.0.1/test). This process
is Telegram: the fake Bot API on 127.0.0.1 and `--villagers` simulated villagers, each of whom
first sends `/start CODE`, then FAQ questions taken from the FAQ's own examples, now and then
`/myrequests`, `/request KIND TEXT` (a card for the officer) or `/start` again.

Latency: from queueing the update at the fake to the bot's sendMessage (its first reply to that
villager) arriving at the fake; the fake's own clock measures both. Three phases:
  1. warm-up: every villager's `/start CODE` (not counted);
  2. steady: `--rate` messages a second, evenly spaced, for `--seconds` (latency p50/p95/p99);
  3. burst: `--burst` messages queued at once (the most the bot gets through in a second).
Telegram's overall limit (30 messages a second, `telegram.overall_per_second`) would cap the
replies long before the bot's own limits; it is raised to `--overall` for this measurement
(`--overall 30` shows the bot as configured). `--latency MS` makes every Bot API call take that
long, as a far-away Telegram does. BENCH_PROFILE=FILE writes a cProfile of the bot process.
About a minute with the defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.scratch import scratch_database  # noqa: E402
from bot.channels.telegram.app import use_uvloop  # noqa: E402
from bot.settings import DatabaseSettings  # noqa: E402
from bot.store import db  # noqa: E402
from bot.store.demo import load_demo  # noqa: E402
from intents.faq import load_faq  # noqa: E402
from tests.fakes import ApiCall, FakeBotApi, FakeUser  # noqa: E402
from tests.fakes._http import HttpResponse  # noqa: E402

FIRST = 100_000  # villagers' user ids
CODES = ("QS001", "QS002", "QS003", "QS004", "BS001", "BS002", "BS003")
OFFICERS = (1001, 1002, 1003, 1004)
DESKS = (-1000000000001, -1000000000002)
TARGET_RATE, TARGET_P95 = 200.0, 0.050


class SlowTelegram(FakeBotApi):
    """The fake Bot API answering each call after `latency` seconds, as Telegram far away does."""

    def __init__(self, latency: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.latency = latency

    async def _answer(self, call: ApiCall, token: str) -> HttpResponse:
        if self.latency and call.method != "getUpdates":
            await asyncio.sleep(self.latency)
        return await super()._answer(call, token)


@dataclass
class Sent:
    chat: int
    text: str
    at: float  # when it was queued at the fake (the fake's loop clock)
    answered: float | None = None


@dataclass
class Load:
    """The villagers, what they say, and every message with the time of its first reply."""

    api: FakeBotApi
    villagers: list[FakeUser]
    questions: list[str]
    rng: random.Random
    sent: list[Sent] = field(default_factory=list)
    waiting: dict[int, list[Sent]] = field(default_factory=dict)  # per chat, oldest first
    seen_calls: int = 0
    unfinished: list[ApiCall] = field(default_factory=list)

    def line(self, villager: FakeUser) -> str:
        """What a villager says next: mostly FAQ questions, sometimes a command."""
        roll = self.rng.random()
        if roll < 0.04:
            return f"/request id_card_lost 身份证丢了，想补办（{villager.id}）"
        if roll < 0.09:
            return "/myrequests"
        if roll < 0.12:
            return f"/start {CODES[villager.id % len(CODES)]}"
        return self.rng.choice(self.questions)

    async def say(self, villager: FakeUser, text: str) -> None:
        item = Sent(villager.id, text, asyncio.get_running_loop().time())
        self.sent.append(item)
        self.waiting.setdefault(villager.id, []).append(item)
        await villager.send(text, settle=False)

    def collect(self) -> None:
        """Match the bot's sendMessage calls to the oldest unanswered message of that chat (a call
        still being answered is looked at again next time)."""
        calls = self.api.calls
        fresh = [c for c in calls[self.seen_calls :] if c.method == "sendMessage"]
        self.seen_calls = len(calls)
        self.unfinished, todo = [], sorted([*self.unfinished, *fresh], key=lambda c: c.at)
        for call in todo:
            if call.status == 0:
                self.unfinished.append(call)
                continue
            if not call.ok:
                continue
            queue = self.waiting.get(call.chat_id) if isinstance(call.chat_id, int) else None
            while queue and queue[0].at <= call.at:
                item = queue.pop(0)
                if item.answered is None:
                    item.answered = call.at
                    break

    def unanswered(self) -> int:
        self.collect()
        return sum(len(q) for q in self.waiting.values())


async def wait_answered(load: Load, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while load.unanswered():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU time (user + system) of a process and of its live children, from /proc: what a message
    costs, whatever else the machine is doing (0 where /proc is not there)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    times = [0.0, 0.0]
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0, 0.0
    for n, each in enumerate((pid, *map(int, kids))):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        times[min(n, 1)] += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return times[0], times[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def people(api: FakeBotApi, villagers: int = 0, first: int = FIRST) -> list[FakeUser]:
    """The demo roster's officers and duty desks known to the fake, and `villagers` villagers from `first` on."""
    for officer in OFFICERS:
        api.user(officer, f"民警{officer}")
    for desk in DESKS:
        api.group(desk, "值班台")
    return [api.user(first + i, f"村民{i}", "zh") for i in range(villagers)]


def bot_env(api: FakeBotApi, database: DatabaseSettings, **extra: str) -> dict[str, str]:
    """The environment of a bot talking to the fake `api` on `database`."""
    return {
        "TELEGRAM_BOT_TOKEN": api.token,
        "CUNJING_TELEGRAM__BASE_URL": api.base_url,
        "CUNJING_TELEGRAM__BASE_FILE_URL": api.base_file_url,
        "CUNJING_DATABASE__URL": database.effective_url,
        "PTB_TIMEDELTA": "true",
        **extra,
    }


async def started(api: FakeBotApi, bot: subprocess.Popen[bytes], timeout: float = 60.0) -> bool:
    """Whether the bot came up (its command menu set) within `timeout` seconds."""
    begin = time.monotonic()
    while not api.calls_to("setMyCommands") or not api.counts["getUpdates"]:
        if bot.poll() is not None or time.monotonic() - begin > timeout:
            return False
        await asyncio.sleep(0.05)
    return True


def start_bot(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """The bot as `cunjing run` starts it, in its own process."""
    code = (
        "import logging, sys; from bot.logs import setup_logging; setup_logging(logging.ERROR);"
        "from bot.settings import load_settings; from bot.channels.telegram.app import run;"
        "sys.exit(run(load_settings()))"
    )
    if os.environ.get("BENCH_PROFILE"):  # cProfile of the bot process, written when it stops
        out = os.environ["BENCH_PROFILE"]
        profile = f"import atexit, cProfile; p = cProfile.Profile(); atexit.register(p.dump_stats, {out!r})"
        code = f"{profile}; p.enable(); {code}"
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env})


async def bench(args: argparse.Namespace, workdir: Path) -> int:
    rng = random.Random(args.seed)
    faq = load_faq(ROOT / "faq")
    questions = [e for i in faq.intents.values() for e in i.examples]
    questions = [q for q in questions if not q.startswith("/")]
    with scratch_database(args.database_url, workdir) as database:
        engine = db.make_engine(database)
        db.upgrade(engine)
        load_demo(db.session_factory(engine))
        engine.dispose()
        return await serve(args, database, questions, rng)


async def serve(args: argparse.Namespace, database: DatabaseSettings, questions: list[str], rng: random.Random) -> int:
    """Telegram (the fake and the villagers) around the bot in its own process."""
    async with SlowTelegram(args.latency / 1000, settle_timeout=60) as api:
        villagers = people(api, args.villagers)
        load = Load(api, villagers, questions, rng)
        env = bot_env(api, database, CUNJING_TELEGRAM__OVERALL_PER_SECOND=str(args.overall))
        bot = start_bot(env)
        try:
            return await phases(args, api, load, bot)
        finally:
            bot.send_signal(signal.SIGINT)  # as Ctrl-C; the fake keeps answering while it stops
            deadline = time.monotonic() + 30
            while bot.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            if bot.poll() is None:
                print("the bot did not stop within 30 s: killed", file=sys.stderr)
                bot.kill()
            else:
                print(f"bot stopped in {30 - (deadline - time.monotonic()):.1f} s (exit {bot.returncode})")


async def phases(args: argparse.Namespace, api: FakeBotApi, load: Load, bot: subprocess.Popen[bytes]) -> int:
    loop = asyncio.get_running_loop()
    begin = time.monotonic()
    if not await started(api, bot):
        print("the bot did not start", file=sys.stderr)
        return 2
    print(
        f"bot (pid {bot.pid}) up in {time.monotonic() - begin:.1f} s; "
        f"{len(load.villagers)} villagers, {len(load.questions)} questions",
        flush=True,
    )

    # 1. warm-up: everybody registers their village (as the poster's deep link does)
    for villager in load.villagers:
        await load.say(villager, f"/start {CODES[villager.id % len(CODES)]}")
        await asyncio.sleep(1 / 100)
    if not await wait_answered(load, 60):
        print("warm-up: not every /start was answered", file=sys.stderr)
        return 2
    load.sent.clear()

    # 2. steady: `rate` messages a second, evenly spaced, villagers in turn
    polls = api.counts["getUpdates"]
    total = int(args.rate * args.seconds)
    cpu = cpu_seconds(bot.pid)
    begin = loop.time()
    for n in range(total):
        delay = begin + n / args.rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        villager = load.villagers[n % len(load.villagers)]
        await load.say(villager, load.line(villager))
        if n % 50 == 0:
            load.collect()
    offered = total / (loop.time() - begin)
    complete = await wait_answered(load, 60)
    steady = [s for s in load.sent if s.answered is not None]
    latencies = [s.answered - s.at for s in steady]  # type: ignore[operator]
    end = max(s.answered for s in steady)  # type: ignore[type-var]
    handled = len(steady) / (end - begin)
    polls = api.counts["getUpdates"] - polls
    spent = cpu_seconds(bot.pid)
    cpu = (spent[0] - cpu[0], spent[1] - cpu[1])
    load.sent.clear()

    # 3. burst: many at once; how many a second the bot gets through
    burst_begin = loop.time()
    for n in range(args.burst):
        villager = load.villagers[n % len(load.villagers)]
        await load.say(villager, load.line(villager))
    burst_complete = await wait_answered(load, 120)
    burst = [s for s in load.sent if s.answered is not None]
    burst_end = max(s.answered for s in burst)  # type: ignore[type-var]
    burst_rate = len(burst) / (burst_end - burst_begin)
    burst_latencies = [s.answered - s.at for s in burst]  # type: ignore[operator]

    ms = 1000.0
    rows = [
        ("steady: offered", f"{offered:.0f} msg/s for {args.seconds:g} s ({total} messages)"),
        ("steady: answered", f"{len(steady)} of {total}; {handled:.0f} msg/s"),
        ("steady: getUpdates calls", f"{polls} ({total / max(polls, 1):.1f} updates each)"),
        (
            "steady: CPU a message, channel / core",
            f"{cpu[0] * ms / max(len(steady), 1):.2f} / {cpu[1] * ms / max(len(steady), 1):.2f} ms",
        ),
        (
            "steady: latency p50 / p95 / p99 / max",
            f"{statistics.median(latencies) * ms:.1f} / {percentile(latencies, 0.95) * ms:.1f} / "
            f"{percentile(latencies, 0.99) * ms:.1f} / {max(latencies) * ms:.1f} ms",
        ),
        ("burst: answered", f"{len(burst)} of {args.burst} in {burst_end - burst_begin:.2f} s: {burst_rate:.0f} msg/s"),
        (
            "burst: latency p50 / p95",
            f"{statistics.median(burst_latencies) * ms:.0f} / {percentile(burst_latencies, 0.95) * ms:.0f} ms",
        ),
        ("429 / 5xx answers", f"{api.count_429} / {sum(n for s, n in api.status_counts.items() if s >= 500)}"),
        ("cards to officers and desks", f"{sum(1 for m in api.messages if m.chat_id in (*OFFICERS, *DESKS))}"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    p95 = percentile(latencies, 0.95)
    ok = complete and burst_complete and handled >= TARGET_RATE * 0.98 and p95 <= TARGET_P95
    print(f"target ≥ {TARGET_RATE:.0f} msg/s with p95 ≤ {TARGET_P95 * ms:.0f} ms: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--villagers", type=int, default=200)
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="messages a second in the steady phase")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.0, help="ms each Bot API call takes (Telegram's RTT)")
    parser.add_argument("--overall", type=float, default=1000.0, help="telegram.overall_per_second for the bot")
    parser.add_argument("--database-url", default="", help="e.g. postgresql+psycopg://postgres@127.0.0.1/test")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    use_uvloop()  # the fake Telegram shares the machine with the bot: it should take as little of it as it can
    with tempfile.TemporaryDirectory() as workdir:
        return asyncio.run(bench(args, Path(workdir)))


if __name__ == "__main__":
    sys.exit(main())
