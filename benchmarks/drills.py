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
- `blocked`: ten villagers block the bot (what is sent to them meets 403) and unblock it `--outage` seconds later;
- `timeouts`: `--timeouts` sends carried out by Telegram but answered after the bot's time-out;
- `flood`, `backlog`: benchmarks/fairness.py's scenarios (one villager flooding; an urgent card behind the desk);
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
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import fairness  # noqa: E402
from bot_load import CODES, OFFICERS, Load, bot_env, people, start_bot, started  # noqa: E402
from sqlalchemy import create_engine, select  # noqa: E402

from bot.settings import DatabaseSettings  # noqa: E402
from bot.store import db, roster  # noqa: E402
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


def open_requests(database: DatabaseSettings) -> list[tuple[int, int, int]]:
    """(villager's user id, request number, their village officer's Telegram id) of every open request."""
    engine = db.make_engine(database)
    try:
        with db.session_factory(engine)() as session:
            found = []
            for request in session.scalars(select(Request).where(Request.status == "open")):
                officer = roster.village_officer(session, request.village_id)
                if officer is not None and officer.telegram_id:
                    found.append((request.citizen.user_id, request.id, officer.telegram_id))
            return found
    finally:
        engine.dispose()


@dataclass
class Bot:
    """The bot's main process, and how to start another one like it."""

    process: subprocess.Popen[bytes]
    env: dict[str, str]
    api: FakeBotApi
    blocked: set[int] = field(default_factory=set)  # villagers who blocked the bot: they send nothing
    faulted_from: int = -1  # index into api.calls where the time-outs began
    relayed: dict[int, int] = field(default_factory=dict)  # blocked villager -> officers' replies sent them


async def drill(name: str, args: argparse.Namespace, faq: Faq, workdir: Path) -> dict[str, str]:
    pg = Postgres(workdir) if name.startswith("pg-") else None
    database = DatabaseSettings(url=pg.url if pg else "", path=workdir / "drill.sqlite3")
    engine = db.make_engine(database)
    db.upgrade(engine)
    load_demo(db.session_factory(engine))
    engine.dispose()

    loop = asyncio.get_running_loop()

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
        if name == "timeouts":  # the next sends are carried out, but answered after the client's time-out
            bot.faulted_from = len(bot.api.calls)
            bot.api.fail_next("sendMessage", args.timeouts, delay=args.send_timeout + 1.0, carried_out=True)
            return lambda: None
        if name == "blocked":  # ten villagers with requests block the bot; their officers answer them meanwhile
            relays = open_requests(database)
            chosen = [bot.api.users[uid] for uid in sorted({uid for uid, _, _ in relays})][:10]
            for user in chosen:
                bot.api.block(user.id)
                bot.blocked.add(user.id)
            for uid, number, officer in relays:
                if uid in bot.blocked and officer in bot.api.users:
                    bot.relayed[uid] = bot.relayed.get(uid, 0) + 1
                    words = f"请带户口本来派出所（#{number}）"
                    asyncio.run_coroutine_threadsafe(
                        bot.api.users[officer].send(f"/reply {number} {words}", settle=False), loop
                    ).result()

            def back() -> None:
                for user in chosen:
                    asyncio.run_coroutine_threadsafe(user.unblock_bot(settle=False), loop).result()
                    bot.blocked.discard(user.id)

            return back
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
        villagers = people(api, args.villagers)
        load = Load(api, villagers, questions, rng)
        env = bot_env(api, database)
        if args.drill_now == "timeouts":  # sends answered after the client gave up, carried out all the same
            env["CUNJING_TELEGRAM__SEND_TIMEOUT"] = str(args.send_timeout)
        bot = Bot(start_bot(env), env, api)
        try:
            if not await started(api, bot.process):
                raise SystemExit("the bot did not start")
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
                if villager.id in bot.blocked:  # someone who blocked the bot cannot write to it
                    continue
                sent = await villager.send(load.line(villager), settle=False)
                update_ids.append((sent.update_id, villager.id, loop.time()))
            if mend is not None:
                await asyncio.to_thread(mend)
            return await tally(args, faq, bot, update_ids, database, first_message, busy, sorry)
        finally:
            bot.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                bot.process.wait(30)
            if bot.process.poll() is None:
                bot.process.kill()


async def tally(
    args: argparse.Namespace,
    faq: Faq,
    bot: Bot,
    update_ids: list[tuple[int, int, float]],
    database: DatabaseSettings,
    first_message: int,
    busy: set[str],
    sorry: set[str],
) -> dict[str, str]:
    """Wait until the bot has caught up (nothing pending, nothing sent for a few seconds), then count
    what was never handled, doubled and apologised for."""
    api = bot.api
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
        if m.chat_id in OFFICERS
        and (found := re.search(r"#(\d+)", first := (m.text or "").split("\n", 1)[0]))
        and first.endswith(faq.message("card.title", "zh", urgent="", number=int(found.group(1))))
    )
    sends = [c for c in api.calls if c.method == "sendMessage"]
    faulted = [c for c in api.calls[bot.faulted_from :] if c.method == "sendMessage"][: args.timeouts]
    resent = sum(
        1
        for f in (faulted if bot.faulted_from >= 0 else [])
        for c in sends
        if c.at > f.at and c.chat_id == f.chat_id and c.params.get("text") == f.params.get("text")
        and c.at - f.at < 60
    )
    extra = {"sends timed out / sent again": f"{len(faulted)} / {resent}"} if bot.faulted_from >= 0 else {}
    if bot.relayed:  # each officer's words reach the villager once, after they unblocked the bot
        got = {uid: sum(1 for t in replies.get(uid, []) if "请带户口本来派出所" in t) for uid in bot.relayed}
        lost = sum(max(0, n - got[uid]) for uid, n in bot.relayed.items())
        doubled = sum(max(0, got[uid] - n) for uid, n in bot.relayed.items())
        relayed = sum(bot.relayed.values())
        extra["officers' replies to blocked villagers / lost / doubled"] = f"{relayed} / {lost} / {doubled}"
    return {
        **extra,
        "messages sent": str(len(update_ids)),
        "never handled": str(sum(1 for u, _, _ in update_ids if u not in handled)),
        "slowest answer": f"{max(waits):.1f} s",
        "requests saved / not told #N": f"{len(saved)} / {sum(1 for r in saved if r not in told)}",
        "duplicate cards to officers": str(sum(n - 1 for n in cards.values() if n > 1)),
        "apologies": str(sum(t in sorry for texts in replies.values() for t in texts)),
        "busy notices": str(sum(t in busy for texts in replies.values() for t in texts)),
    }


def fairness_args(args: argparse.Namespace) -> argparse.Namespace:
    return argparse.Namespace(flood=150, others=20, seconds=20.0, backlog=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--drill",
        nargs="+",
        default=["kill-main", "kill-core", "sqlite-lock", "pg-restart", "pg-outage", "blocked", "timeouts", "flood",
                 "backlog"],
    )
    parser.add_argument("--every", type=float, default=6.0, help="seconds between the three kills of a kill drill")
    parser.add_argument("--villagers", type=int, default=50)
    parser.add_argument("--rate", type=float, default=20.0, help="villagers' messages a second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--fault-at", type=float, default=8.0)
    parser.add_argument("--outage", type=float, default=12.0, help="seconds the database stays broken")
    parser.add_argument("--catch-up", type=float, default=120.0, help="seconds to wait for the bot to catch up")
    parser.add_argument("--timeouts", type=int, default=12, help="sends answered after the client's time-out")
    parser.add_argument("--send-timeout", type=float, default=2.0, help="the bot's telegram.send_timeout (timeouts)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    faq = load_faq(ROOT / "faq")
    results: dict[str, dict[str, str]] = {}
    for name in args.drill:
        if name in ("flood", "backlog"):  # benchmarks/fairness.py's scenarios
            with tempfile.TemporaryDirectory() as tmp:
                lines = asyncio.run(fairness.scenario(name, fairness_args(args), Path(tmp)))
            print(f"{name}: " + "; ".join(lines), flush=True)
            continue
        args.drill_now = name
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
