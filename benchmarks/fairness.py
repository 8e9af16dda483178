"""Fairness: one chat's backlog must not hold up anyone else.

Run by hand: `.venv/bin/python benchmarks/fairness.py`. The bot runs as `cunjing run` runs it (bot_load.py's
`start_bot`), against the fake Bot API enforcing Telegram's limits (one message a second per chat, 20 a minute per
group, 30 a second overall). Two scenarios:

1. flood: one villager sends `--flood` messages at once while `--others` villagers each ask a question every two
   seconds; the others' answer times (p50 / p95 / max) and the flooder's answers (all, in order?).
2. desk backlog: `--backlog` requests from a village without an officer (their cards queue for the town's duty desk,
   a group: 20 a minute), then a villager of another village says a scam is happening now; how long the urgent card
   takes to reach that village's officer, and how many desk cards went out before it.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bot_load import DESKS, OFFICERS, bot_env, people, percentile, start_bot, started  # noqa: E402

from bot.settings import DatabaseSettings  # noqa: E402
from bot.store import db  # noqa: E402
from bot.store.demo import load_demo  # noqa: E402
from tests.fakes import FakeBotApi, FakeUser  # noqa: E402

QUESTION = "有人打电话说我涉嫌洗钱，要我转账到安全账户，是真的吗"


async def first_reply_after(api: FakeBotApi, chat: int, after: float, timeout: float) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in api.messages_to(chat):
            if message.sent_at >= after:
                return message.sent_at
        await asyncio.sleep(0.02)
    return None


async def flood(args: argparse.Namespace, api: FakeBotApi) -> list[str]:
    loop = asyncio.get_running_loop()
    flooder = api.user(300_000, "刷屏的人")
    others = [api.user(300_001 + i, f"村民{i}") for i in range(args.others)]
    for person in [flooder, *others]:
        await person.send("/start QS001", settle=False)
    await asyncio.sleep(3)
    start = loop.time()
    for n in range(args.flood):
        await flooder.send(f"{QUESTION}（{n}）", settle=False)
    waits: list[float] = []
    rounds = 0
    while loop.time() - start < args.seconds:
        asked = []
        for person in others:
            asked.append((person, loop.time()))
            await person.send(QUESTION, settle=False)
        for person, at in asked:
            got = await first_reply_after(api, person.id, at, 120)
            waits.append((got - at) if got is not None else float("inf"))
        rounds += 1
        await asyncio.sleep(max(0.0, 2.0 - (loop.time() - asked[0][1])))
    flooder_done = await until_count(api, flooder, start, args.flood, 600)
    return [
        f"others' answers while one floods {args.flood}: p50 {statistics.median(waits):.2f} s, "
        f"p95 {percentile(waits, 0.95):.2f} s, max {max(waits):.2f} s ({len(waits)} questions)",
        f"flooder: {flooder_done} messages back for {args.flood} sent (answers and the slow-down notice)",
    ]


async def until_count(api: FakeBotApi, person: FakeUser, since: float, count: int, timeout: float) -> int:
    """How many messages `person` got since `since`, waiting up to `timeout` for `count` of them."""
    deadline = time.monotonic() + timeout
    while True:
        got = sum(1 for m in api.messages_to(person.id) if m.sent_at >= since)
        if got >= count or time.monotonic() > deadline:
            return got
        await asyncio.sleep(0.2)


async def backlog(args: argparse.Namespace, api: FakeBotApi) -> list[str]:
    loop = asyncio.get_running_loop()
    desk = DESKS[0]  # 青山镇's duty desk; QS004 has no officer: its requests go there
    people = [api.user(310_000 + i, f"村民{i}") for i in range(args.backlog)]
    for person in people:
        await person.send("/start QS004", settle=False)
    await asyncio.sleep(3)
    for i, person in enumerate(people):
        await person.send(f"/request id_card_lost 身份证丢了，想补办（{i}）", settle=False)
    while sum(1 for m in api.messages_to(desk)) < 3:
        await asyncio.sleep(0.1)
    caller = api.user(320_000, "着急的人")
    await caller.send("/start QS001", settle=False)
    await asyncio.sleep(2)
    desk_before = len(api.messages_to(desk))
    at = loop.time()
    await caller.send("骗子现在还在电话里让我转账，我刚转了两万！", settle=False)
    got = await first_reply_after(api, OFFICERS[0], at, 300)
    desk_meanwhile = len(api.messages_to(desk)) - desk_before
    delay = f"{got - at:.2f} s" if got is not None else "not within 300 s"
    return [f"urgent card behind {args.backlog} desk cards: {delay} ({desk_meanwhile} desk cards sent meanwhile)"]


async def scenario(name: str, args: argparse.Namespace, workdir: Path) -> list[str]:
    database = DatabaseSettings(path=workdir / f"{name}.sqlite3")
    engine = db.make_engine(database)
    db.upgrade(engine)
    load_demo(db.session_factory(engine))
    engine.dispose()
    async with FakeBotApi(enforce_limits=True, settle_timeout=120) as api:
        people(api)
        bot = start_bot(bot_env(api, database))
        try:
            if not await started(api, bot):
                raise SystemExit("the bot did not start")
            return await (flood(args, api) if name == "flood" else backlog(args, api))
        finally:
            bot.terminate()
            try:
                bot.wait(30)
            except subprocess.TimeoutExpired:
                bot.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", nargs="+", default=["flood", "backlog"])
    parser.add_argument("--flood", type=int, default=150)
    parser.add_argument("--others", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--backlog", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        for name in args.scenario:
            for line in asyncio.run(scenario(name, args, Path(workdir))):
                print(f"{name}: {line}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
