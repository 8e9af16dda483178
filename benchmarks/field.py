"""The matcher on our own field set: questions the way villagers in Putian write and speak.

Run by hand: `.venv/bin/python benchmarks/field.py [--errors]`. Reads benchmarks/field_questions.jsonl
(our own writing, never copied into the FAQ; a test checks) and prints top-1 / top-3 / correct
fallback at the configured threshold, for each part (before, after, fresh, blind4-6: see README),
each kind of wording, and the development set of ../shared/eval when it is there.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.matcher import load_questions, scores  # noqa: E402
from bot.services import build_matcher  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from intents.faq import load_faq  # noqa: E402

FIELD = ROOT / "benchmarks" / "field_questions.jsonl"
DEV = ROOT.parent / "shared" / "eval" / "dev-questions.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--errors", action="store_true", help="print the lines we get wrong")
    parser.add_argument("--semantic", choices=("auto", "off"), help="the sentence encoder (default: config.yaml)")
    args = parser.parse_args()
    settings = load_settings()
    if args.semantic:
        settings = replace(settings, matcher=replace(settings.matcher, semantic=args.semantic))
    matcher = build_matcher(load_faq(settings.faq.dir), settings)
    rows = [json.loads(line) for line in FIELD.read_text(encoding="utf-8").splitlines() if line.strip()]
    sets: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for r in rows:
        for name in ("field: all", f"field: part {r['part']}", f"  kind {r['kind']}"):
            sets[name].append((r["text"], r["intent"]))
    if DEV.is_file():
        sets["dev set (../shared/eval)"] = load_questions(DEV)
    print(f"{'set':32} {'lines':>5} {'null':>4} {'top-1':>7} {'top-3':>7} {'fallback':>9}")
    for name in sorted(sets, key=lambda n: (n.startswith("  "), n)):
        data = sets[name]
        ranked = []
        for text, _ in data:
            ev = matcher.read(text)
            ranked.append(([i for i, _ in ev.ranked], matcher.confidence(ev)))
        s = scores(ranked, [g for _, g in data], matcher.threshold)
        nulls = sum(g is None for _, g in data)
        print(f"{name:32} {len(data):5} {nulls:4} {s['top1']:7.1%} {s['top3']:7.1%} {s['fallback']:9.1%}")
    if args.errors:
        for r in rows:
            m = matcher.match(r["text"])
            if m.intent != r["intent"]:
                print(f"  {r['kind']:11} want {r['intent']!s:34} got {m.intent!s:34} {m.score:.2f} "
                      f"{list(m.suggestions)} {r['text'][:60]}")


if __name__ == "__main__":
    main()
