"""Fault drills: the bot under a steady load of villagers while its database fails, and what was lost.

Run by hand: `.venv/bin/python benchmarks/drills.py [--drill kill-main sqlite-lock ...] [--seconds 30]`.
The bot runs as `cunjing run` runs it (bot_load.py's `start_bot`: long polling, the core in its own process); this
process is Telegram (the fake Bot API) and `--villagers` villagers, each sending FAQ questions and now and then a
request, `--rate` messages a second for `--seconds`. `--fault-at` seconds in, the drill breaks something:

- `sqlite-lock`: another program holds SQLite's write lock for `--outage` seconds (as a backup tool or a stuck
  process would), so every write meets "database is locked" once SQLite's busy timeout has passed;
- `pg-restart`: a PostgreSQL of the drill's own (initdb in a temporary directory, a free port; never the
  machine's server) restarted with `pg_ctl restart -m fast`;
- `pg-outage`: that PostgreSQL stopped for `--outage` seconds, then started again;
- `kill-main` / `kill-core`: SIGKILL of the bot's main process (started again at once, as systemd or compose
  would) or of its conversation core's process, three times `--every` seconds apart.

It prints, per drill: updates never handled, requests saved but the villager never told "#N", duplicate cards to
officers, apologies, busy notices, and the slowest answer. Target: 0 lost, 0 apologies, 0 duplicates.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import pwd
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bot_load import CODES, DESKS, FIRST, OFFICERS, Load, start_bot  # noqa: E402
from sqlalchemy import create_engine, select  # noqa: E402

from bot.settings import DatabaseSettings  # noqa: E402
from bot.store import db  # noqa: E402
from bot.store.demo import load_demo  # noqa: E402
from bot.store.models import Request, SeenUpdate  # noqa: E402
from intents.faq import Faq, load_faq  # noqa: E402
from tests.fakes import FakeBotApi  # noqa: E402

PG_BIN = Path("/usr/lib/postgresql")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Postgres:
    """A PostgreSQL cluster of the drill's own in a temporary directory (root runs it as `postgres`)."""

    def __init__(self, workdir: Path) -> None:
        versions = sorted(PG_BIN.glob("*/bin/pg_ctl"))
        if not versions:
            raise SystemExit("PostgreSQL's server programs are not installed: no pg drills")
        self.bin = versions[-1].parent
        self.dir = workdir / "pg"
        self.dir.mkdir()
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            os.chmod(workdir, 0o755)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.run("initdb", "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()

    def run(self, program: str, *args: str) -> None:
        subprocess.run([*self.as_user, str(self.bin / program), *args], check=True, capture_output=True)

    def ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "-D", str(self.dir / "data"), "-o", options, "-l", str(self.dir / "log"), "-w", *args)

    def start(self) -> None:
        self.ctl("start")

    def stop(self) -> None:
        self.ctl("stop", "-m", "fast")

    def restart(self) -> None:
        self.ctl("restart", "-m", "fast")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@contextlib.contextmanager
def sqlite_lock(path: Path) -> Iterator[None]:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


@dataclass
class Bot:
    """The bot's main process, and how to start another one like it."""

    process: subprocess.Popen[bytes]
    env: dict[str, str]


async def drill(name: str, args: argparse.Namespace, faq: Faq, workdir: Path) -> dict[str, str]:
    pg = Postgres(workdir) if name.startswith("pg-") else None
    database = DatabaseSettings(url=pg.url if pg else "", path=workdir / "drill.sqlite3")
    engine = db.make_engine(database)
    db.upgrade(engine)
    load_demo(db.session_factory(engine))
    engine.dispose()

    def fault(bot: Bot) -> Callable[[], None]:
        """Break something now; returns what mends it."""
        if name == "kill-main":  # the bot's main process: its core child is orphaned and goes
            bot.process.kill()
            bot.process.wait()
            bot.process = start_bot(bot.env)
            return lambda: None
        if name == "kill-core":  # the conversation core's process: the main process replaces it
            children = subprocess.run(["pgrep", "-P", str(bot.process.pid)], capture_output=True, text=True)
            for pid in children.stdout.split():
                os.kill(int(pid), signal.SIGKILL)
            return lambda: None
        if name == "sqlite-lock":
            held = sqlite_lock(database.path)
            held.__enter__()
            return lambda: None if held.__exit__(None, None, None) else None
        assert pg is not None
        if name == "pg-restart":
            pg.restart()
            return lambda: None
        pg.stop()
        return pg.start

    try:
        return await under_load(args, faq, database, fault, 3 if name.startswith("kill-") else 1)
    finally:
        if pg is not None:
            with contextlib.suppress(subprocess.CalledProcessError):
                pg.stop()


async def under_load(
    args: argparse.Namespace, faq: Faq, database: DatabaseSettings, fault: Callable[[Bot], Callable[[], None]],
    times: int = 1,
) -> dict[str, str]:
    rng = random.Random(args.seed)
    questions = [e for i in faq.intents.values() for e in i.examples if not e.startswith("/")]
    busy = {faq.message("busy", lang) for lang in ("zh", "en")}
    sorry = {faq.message("error.generic", lang) for lang in ("zh", "en")}
    async with FakeBotApi(settle_timeout=120) as api:
        for officer in OFFICERS:
            api.user(officer, f"民警{officer}")
        for desk in DESKS:
            api.group(desk, "值班台")
        villagers = [api.user(FIRST + i, f"村民{i}", "zh") for i in range(args.villagers)]
        load = Load(api, villagers, questions, rng)
        env = {
            "TELEGRAM_BOT_TOKEN": api.token,
            "CUNJING_TELEGRAM__BASE_URL": api.base_url,
            "CUNJING_TELEGRAM__BASE_FILE_URL": api.base_file_url,
            "CUNJING_DATABASE__URL": database.effective_url,
            "PTB_TIMEDELTA": "true",
        }
        bot = Bot(start_bot(env), env)
        try:
            started = time.monotonic()
            while not api.calls_to("setMyCommands"):
                if bot.process.poll() is not None or time.monotonic() - started > 60:
                    raise SystemExit("the bot did not start")
                await asyncio.sleep(0.05)
            for villager in villagers:
                await villager.send(f"/start {CODES[villager.id % len(CODES)]}", settle=False)
            await asyncio.sleep(2)
            api.reset_counters()
            first_message = len(api.messages)
            loop = asyncio.get_running_loop()
            begin, total, faults = loop.time(), int(args.rate * args.seconds), 0
            mend: Callable[[], None] | None = None
            update_ids: list[tuple[int, int, float]] = []  # update id, chat, when sent
            for n in range(total):
                delay = begin + n / args.rate - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                if mend is None and faults < times and loop.time() - begin >= args.fault_at + faults * args.every:
                    mend = await asyncio.to_thread(fault, bot)
                    mended_at, faults = loop.time() + args.outage, faults + 1
                if mend is not None and loop.time() >= mended_at:
                    await asyncio.to_thread(mend)
                    mend = None
                villager = villagers[n % len(villagers)]
                sent = await villager.send(load.line(villager), settle=False)
                update_ids.append((sent.update_id, villager.id, loop.time()))
            if mend is not None:
                await asyncio.to_thread(mend)
            return await tally(args, api, update_ids, database, first_message, busy, sorry)
        finally:
            bot.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                bot.process.wait(30)
            if bot.process.poll() is None:
                bot.process.kill()


async def tally(
    args: argparse.Namespace,
    api: FakeBotApi,
    update_ids: list[tuple[int, int, float]],
    database: DatabaseSettings,
    first_message: int,
    busy: set[str],
    sorry: set[str],
) -> dict[str, str]:
    """Wait until the bot has caught up (nothing pending, nothing sent for a few seconds), then count
    what was never handled, doubled and apologised for."""
    deadline, quiet = time.monotonic() + args.catch_up, 4.0
    seen = len(api.messages)
    last_change = time.monotonic()
    while time.monotonic() < deadline:
        if len(api.messages) != seen or api.pending_updates:
            seen, last_change = len(api.messages), time.monotonic()
        elif time.monotonic() - last_change > quiet:
            break
        await asyncio.sleep(0.25)
    replies: dict[int, list[str]] = {}
    for message in api.messages[first_message:]:
        replies.setdefault(message.chat_id, []).append(message.text or "")
    engine = create_engine(database.effective_url)
    with engine.connect() as connection:
        saved = list(connection.execute(select(Request.id)).scalars())
        handled = set(connection.execute(select(SeenUpdate.update_id)).scalars())
    engine.dispose()
    told = {int(m) for texts in replies.values() for t in texts for m in re.findall(r"#(\d+)", t)}
    times: dict[int, list[float]] = {}
    for message in api.messages[first_message:]:
        if (message.text or "") not in busy:
            times.setdefault(message.chat_id, []).append(message.sent_at)
    waits = [
        min((t for t in times.get(chat, []) if t >= at), default=float("inf")) - at for _, chat, at in update_ids
    ]
    cards = Counter(
        int(found.group(1))
        for m in api.messages[first_message:]
        if m.chat_id in OFFICERS and (found := re.search(r"#(\d+)", (m.text or "").split("\n", 1)[0]))
    )
    return {
        "messages sent": str(len(update_ids)),
        "never handled": str(sum(1 for u, _, _ in update_ids if u not in handled)),
        "slowest answer": f"{max(waits):.1f} s",
        "requests saved / not told #N": f"{len(saved)} / {sum(1 for r in saved if r not in told)}",
        "duplicate cards to officers": str(sum(n - 1 for n in cards.values() if n > 1)),
        "apologies": str(sum(t in sorry for texts in replies.values() for t in texts)),
        "busy notices": str(sum(t in busy for texts in replies.values() for t in texts)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--drill", nargs="+", default=["kill-main", "kill-core", "sqlite-lock", "pg-restart", "pg-outage"]
    )
    parser.add_argument("--every", type=float, default=6.0, help="seconds between the three kills of a kill drill")
    parser.add_argument("--villagers", type=int, default=50)
    parser.add_argument("--rate", type=float, default=20.0, help="villagers' messages a second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--fault-at", type=float, default=8.0)
    parser.add_argument("--outage", type=float, default=12.0, help="seconds the database stays broken")
    parser.add_argument("--catch-up", type=float, default=120.0, help="seconds to wait for the bot to catch up")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    faq = load_faq(ROOT / "faq")
    results: dict[str, dict[str, str]] = {}
    for name in args.drill:
        workdir = Path(tempfile.mkdtemp(prefix=f"drill-{name}-"))
        try:
            results[name] = asyncio.run(drill(name, args, faq, workdir))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        print(f"{name}: " + "; ".join(f"{k} {v}" for k, v in results[name].items()), flush=True)
    lost = sum(int(r["never handled"]) + int(r["apologies"]) for r in results.values())
    return 0 if lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
