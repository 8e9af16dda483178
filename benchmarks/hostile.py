"""What a hostile message costs: 4 kB and 100 kB through the whole turn and through `cunjing match`.

Run by hand: `.venv/bin/python benchmarks/hostile.py [--sizes 4096,102400] [--repeat 3] [--no-match]`.

Messages of each size (in characters):
- letters: one word of random ASCII letters (once quadratic in the language check);
- unicode: random code points of every plane, controls, NUL and lone surrogates included;
- dots: `a.b.c.…` (names such as `example.com`, which the language check skips);
- digits: one run of digits (phone and ID number patterns);
- pinyin: `ma ma ma …` (every word a syllable: the pinyin reading goes to the end).

Whole turn: a registered villager of the demo roster sends each as a text to `Conversation.handle`
on a temporary SQLite file (the matcher, the language, the urgency check, the SQL and the commit).
`cunjing match`: one line on the stdin of a running `cunjing match`, timed until its answer
line comes back. Each is run `--repeat` times; the median is printed, in ms. Target: ≤ 50 ms for
100 kB through the whole turn.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.scratch import scratch_core  # noqa: E402
from bot.core.types import text_message  # noqa: E402

SEED = 12
TARGET_MS = 50.0


def letters(rng: random.Random, size: int) -> str:
    return "".join(rng.choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", k=size))


def unicode(rng: random.Random, size: int) -> str:
    """Any code point but the line ends (one message is one line for `cunjing match`)."""
    return "".join(chr(c) for c in rng.choices(range(0x110000), k=size * 2) if c not in (10, 13))[:size]


def dots(rng: random.Random, size: int) -> str:
    return ".".join(rng.choice("abcxyz") for _ in range(size // 2 + 1))[:size]


def digits(rng: random.Random, size: int) -> str:
    return "".join(rng.choices("0123456789", k=size))


def pinyin(rng: random.Random, size: int) -> str:
    return ("ma " * size)[:size]


KINDS: dict[str, Callable[[random.Random, int], str]] = {
    "letters": letters,
    "unicode": unicode,
    "dots": dots,
    "digits": digits,
    "pinyin": pinyin,
}


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def whole_turn(messages: dict[tuple[str, int], str], repeat: int) -> dict[tuple[str, int], float]:
    """Each message sent `repeat` times by a registered villager (each time a new update)."""
    out: dict[tuple[str, int], float] = {}
    with tempfile.TemporaryDirectory() as workdir, scratch_core("", Path(workdir)) as core:
        core.handle(text_message(7, 7, "/start QS001", update_id=1))
        core.handle(text_message(7, 7, "身份证丢了怎么补办", update_id=2))  # warm: jieba, the SQL
        update_id = 10
        for key, message in messages.items():
            times = []
            for _ in range(repeat):
                update_id += 1
                start = time.perf_counter()
                core.handle(text_message(7, 7, message, update_id=update_id))
                times.append(time.perf_counter() - start)
                core.handle(text_message(7, 7, "/cancel", update_id=update_id + 10_000))  # the same state each time
            out[key] = median_ms(times)
    return out


def through_match(messages: dict[tuple[str, int], str], repeat: int) -> dict[tuple[str, int], float]:
    """Each message as one line to a running `cunjing match`, timed until its answer comes back."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "match"], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert process.stdin is not None and process.stdout is not None
    out: dict[tuple[str, int], float] = {}
    try:

        def ask(line: str) -> float:
            assert process.stdin is not None and process.stdout is not None
            start = time.perf_counter()
            process.stdin.write(line.encode("utf-8", errors="surrogatepass") + b"\n")
            process.stdin.flush()
            process.stdout.readline()
            return time.perf_counter() - start

        ask("身份证丢了怎么补办")  # started, the index loaded
        for key, message in messages.items():
            out[key] = median_ms([ask(message) for _ in range(repeat)])
    finally:
        process.stdin.close()
        process.wait(timeout=60)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="4096,102400", help="message sizes in characters, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-match", action="store_true", help="leave out `cunjing match`")
    args = parser.parse_args()
    rng = random.Random(SEED)
    sizes = [int(s) for s in args.sizes.split(",")]
    messages = {(kind, size): make(rng, size) for size in sizes for kind, make in KINDS.items()}
    turn = whole_turn(messages, args.repeat)
    match = {} if args.no_match else through_match(messages, args.repeat)
    print(f"{'message':<10} {'size':>8} {'whole turn ms':>14} {'cunjing match ms':>17}")
    for kind, size in messages:
        matched = f"{match[(kind, size)]:.1f}" if match else "-"
        print(f"{kind:<10} {size:>8} {turn[(kind, size)]:>14.1f} {matched:>17}")
    big = [v for (_, size), v in turn.items() if size >= 100_000]
    if big:
        verdict = "met" if max(big) <= TARGET_MS else "NOT met"
        print(f"slowest 100 kB turn: {max(big):.1f} ms (target ≤ {TARGET_MS:.0f} ms): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
