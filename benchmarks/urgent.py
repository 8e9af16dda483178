"""False pages and missed pages of the urgent path on a labelled set of villagers' messages.

Run by hand: `.venv/bin/python benchmarks/urgent.py [--set FILE]`. Each line of the set is
`{"text": ..., "urgent": true|false, "kind": ...}`; the decision is the bot's own
(`bot.core.urgency.urgent_words`: the FAQ match and faq/urgency.yaml), with the real FAQ.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.urgency import urgent_words  # noqa: E402
from bot.services import Knowledge  # noqa: E402
from bot.settings import load_settings  # noqa: E402

SET = ROOT / "benchmarks" / "urgent_set.jsonl"


def load_set(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def report(name: str, decided: list[tuple[dict[str, object], bool]]) -> None:
    """False pages and missed pages of one part of the set, and the lines it got wrong."""
    false_pages = [r for r, paged in decided if paged and not r["urgent"]]
    missed = [r for r, paged in decided if not paged and r["urgent"]]
    urgent = sum(bool(r["urgent"]) for r, _ in decided)
    calm = len(decided) - urgent
    print(f"{name}: {len(decided)} messages, {urgent} urgent now, {calm} not")
    print(f"  false pages:  {len(false_pages)}/{calm} = {len(false_pages) / max(calm, 1):.1%}")
    print(f"  missed pages: {len(missed)}/{urgent} = {len(missed) / max(urgent, 1):.1%}")
    for label, wrong in (("false page", false_pages), ("missed page", missed)):
        for r in wrong:
            print(f"    {label:<11} [{r.get('kind', '')}] {r['text']}")


def speed(knowledge: Knowledge, texts: list[str]) -> None:
    """The word lists alone (the FAQ match is timed by benchmarks/matcher.py), and a long message."""
    for text in texts:  # warm up
        knowledge.urgency.read(text)
    times = []
    for _ in range(20):
        for text in texts:
            started = time.perf_counter()
            knowledge.urgency.read(text)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    print(f"urgency words: p50 {times[len(times) // 2]:.3f} ms, p99 {times[int(len(times) * 0.99)]:.3f} ms a message")
    for chars in (100, 1000, 2000):
        text = ("我家门口有人 " * chars)[:chars]
        started = time.perf_counter()
        for _ in range(20):
            knowledge.urgency.read(text)
        print(f"  {chars} characters: {(time.perf_counter() - started) * 1000 / 20:.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=SET)
    args = parser.parse_args()
    knowledge = Knowledge.load(load_settings())
    rows = load_set(args.set)
    decided = [(row, urgent_words(knowledge, str(row["text"]))) for row in rows]
    parts = list(dict.fromkeys(str(r.get("part", "all")) for r in rows))
    for part in parts:
        report(part, [(r, paged) for r, paged in decided if str(r.get("part", "all")) == part])
    if len(parts) > 1:
        report("all", decided)
    speed(knowledge, [str(r["text"]) for r in rows])


if __name__ == "__main__":
    main()
