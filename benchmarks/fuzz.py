"""20,000 hostile updates through the conversation core: crashes, hangs and the slowest turn.

Run by hand: `.venv/bin/python benchmarks/fuzz.py [--updates 20000] [--postgres URL] [--seed 12]`.

The updates are those of the fuzz test (tests/bot/core/hostile.py, drawn by Hypothesis): every kind
of message, every command with arguments such as `99999999999999999999`, `①` and `²`, every button
prefix with forged data, NUL and other controls, lone surrogates, messages of up to 60,000
characters; from villagers, the demo roster's officers and an admin; in private chats, at the duty
desks and in a village group. One in ten is a repeat of the update before (Telegram redelivers).
They run one after another on one database (a temporary SQLite file, or a scratch schema of the
PostgreSQL database at `--postgres`, e.g. postgresql://postgres@127.0.0.1/test), and what they
queue for others is sent through the dispatcher to a sink.

Printed: crashes (an exception out of `Conversation.handle` or the dispatcher) with the first few
tracebacks; updates left without an answer (but those `silent_by_design`); hangs (a turn over 1 s);
the turn's p50, p99 and the slowest turns. Updates of 60 kB are part of the mix, so the slowest
turns show the cost of size.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from benchmarks.scratch import scratch_core  # noqa: E402
from bot.core.conversation import Conversation  # noqa: E402
from bot.core.dispatch import Delivery, Dispatcher, Sent  # noqa: E402
from bot.core.types import Incoming, Reply, text_message  # noqa: E402
from tests.bot.core.hostile import ADMIN_ENV, incoming, silent_by_design  # noqa: E402

HANG = 1.0  # seconds: a turn longer than this is a hang
SHOW = 3  # tracebacks and slow turns printed


class Tally:
    """What the run saw."""

    def __init__(self) -> None:
        self.times: list[tuple[float, str]] = []
        self.crashes: Counter[str] = Counter()
        self.tracebacks: list[str] = []
        self.unanswered: list[str] = []
        self.sent = 0

    def crash(self, where: str) -> None:
        lines = traceback.format_exc().strip().splitlines()
        self.crashes[f"{where}: {lines[-1][:120]}"] += 1
        if len(self.tracebacks) < SHOW:
            self.tracebacks.append("\n".join(lines[-12:]))


def label(msg: Incoming) -> str:
    """What the update was, for the list of slow turns."""
    if msg.command is not None:
        return f"/{msg.command[:20]} ({len(msg.text):,} chars)"
    if msg.button is not None:
        return f"button {msg.button[:20]!r}"
    return f"{msg.kind} ({len(msg.text):,} chars, chat {msg.chat_type})"


def run(core: Conversation, updates: int, rng_seed: int) -> Tally:
    tally = Tally()

    async def sink(chat_id: int, reply: Reply) -> Delivery:
        tally.sent += 1
        return Sent(tally.sent)

    dispatcher = Dispatcher(core.services.db, sink, per_chat_interval=0)
    strategy = incoming(tuple(sorted(core.commands)), tuple(sorted(core.buttons)))
    update_id = 0
    last: Incoming | None = None

    @seed(rng_seed)
    @settings(
        max_examples=updates,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def one(data: st.DataObject) -> None:
        nonlocal update_id, last
        again, drawn = data.draw(st.integers(0, 9)) == 5, data.draw(strategy)  # the same draws every time
        if again and last is not None:
            msg = last  # the same update again
        else:
            update_id += 1
            msg = replace(drawn, update_id=update_id)
        repeated, last = msg is last, msg
        start = time.perf_counter()
        try:
            outcome = core.handle(msg)
        except Exception:
            tally.crash("turn")
            return
        finally:
            tally.times.append((time.perf_counter() - start, label(msg)))
        if not outcome.replies and not repeated and silent_by_design(msg) is None:
            tally.unanswered.append(label(msg))
        if outcome.queued:
            try:
                asyncio.run(dispatcher.drain())
            except Exception:
                tally.crash("dispatch")

    one()
    return tally


def report(tally: Tally) -> None:
    times = sorted(t for t, _ in tally.times)
    print(f"updates: {len(times):,}; messages sent to others through the outbox: {tally.sent:,}")
    print(f"crashes: {sum(tally.crashes.values())}")
    for what, count in tally.crashes.most_common(10):
        print(f"  {count:>6}  {what}")
    for text in tally.tracebacks:
        print("---\n" + text)
    print(f"unanswered: {len(tally.unanswered)}" + (f" (first: {tally.unanswered[:SHOW]})" if tally.unanswered else ""))
    hangs = [(t, what) for t, what in tally.times if t > HANG]
    print(f"hangs (turn > {HANG:g} s): {len(hangs)}")
    for what, count in Counter(what.split(" (")[0] for _, what in hangs).most_common():
        print(f"  {count:>6}  {what}")
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"turn p50 {statistics.median(times) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms; slowest:")
    for t, what in sorted(tally.times, reverse=True)[:SHOW]:
        print(f"  {t * 1000:8.1f} ms  {what}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=20_000)
    parser.add_argument("--postgres", default="", metavar="URL", help="a PostgreSQL database instead of SQLite")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the refusals of forged commands; errors still show
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as workdir, scratch_core(args.postgres, Path(workdir), ADMIN_ENV) as core:
        core.handle(text_message(1, 1, "身份证丢了怎么补办"))  # warm: jieba's dictionary, the SQL
        tally = run(core, args.updates, args.seed)
    print(f"database: {'PostgreSQL' if args.postgres else 'SQLite'}; {time.perf_counter() - started:.0f} s in all")
    report(tally)
    return 1 if tally.crashes or tally.unanswered else 0


if __name__ == "__main__":
    sys.exit(main())
