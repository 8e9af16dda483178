"""How the guard of linked village groups answers: scam posts answered and ordinary messages answered.

Run by hand: `.venv/bin/python benchmarks/group_guard.py [--show]`. Reads
benchmarks/group_messages.jsonl: group messages written for this purpose (ordinary chat of six
kinds, scam posts of five), each labelled `scam`, `kind` and `part`: "before" was written before the
rules for group scam posts were studied, "after" once they were done (held out: never used to write
a rule); "fresh" (155 more, 2026-12-06) was written for issue 17 and measured once written, before
any change made for it; "blind2" (240 more, 2026-12-06: 200 ordinary of eight kinds, 40 scam posts
of ten) likewise, measured once, then studied; "blind3" (247 more, 2026-12-06: 205 ordinary of
eleven kinds, 42 scam posts of thirteen) was written after the blind2 fixes, measured once (35/42
scam posts, 1/205 ordinary), then studied. Session 7 (2026-12-06): "blind4" (260) and "blind5" (260)
were written blind and measured once before the changes they measure (40/60 and 52/60 scam posts),
then studied; "blind6" (260) was written after them and measured once (57/60, 2/200 ordinary), never
studied. `--semantic off` measures the checker without the sentence encoder's head. A message is
answered when the guard would answer it (`bot.core.guard.answers`: a scam verdict at
`thresholds.group`); "scam or suspicious" is what the checker says when asked with /check.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.core.guard import answers  # noqa: E402
from bot.services import encoder_of  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from intents.scamcheck import ScamChecker  # noqa: E402

DATA = ROOT / "benchmarks" / "group_messages.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="list the mistakes")
    parser.add_argument("--semantic", choices=("auto", "off"), default="auto", help="the sentence encoder's head")
    args = parser.parse_args()
    settings = load_settings()
    encoder = encoder_of(replace(settings, matcher=replace(settings.matcher, semantic=args.semantic)))
    checker = ScamChecker.from_dir(ROOT / "faq", encoder=encoder)
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    tally: dict[tuple[str, bool, str], list[int]] = defaultdict(lambda: [0, 0, 0])  # n, answered, flagged
    for row in rows:
        verdict = checker.check(row["text"])
        said = int(answers(verdict, checker.rules.group_at))
        for part in (row["part"], "all"):
            for kind in (row["kind"], "*"):
                cell = tally[(part, row["scam"], kind)]
                cell[0] += 1
                cell[1] += said
                cell[2] += int(verdict.verdict != "safe")
        if args.show and bool(said) != row["scam"]:
            print(f"{'MISSED' if row['scam'] else 'FALSE '} {row['part']:6} {verdict.verdict:10} {verdict.risk:.2f} "
                  f"{row['kind']:18} {row['text']}")
    print(f"group threshold: risk >= {checker.rules.group_at} and verdict scam")
    print(f"{'part':7} {'messages':9} {'kind':20} {'n':>4} {'answered':>14} {'scam/suspicious':>16}")
    parts = list(dict.fromkeys(row["part"] for row in rows))
    for part in [*parts, "all"]:
        for scam in (True, False):
            kinds = sorted(k for (p, s, k) in tally if p == part and s == scam and k != "*")
            for kind in [*kinds, "*"]:
                n, said, flagged = tally.get((part, scam, kind), [0, 0, 0])
                if not n:
                    continue
                label = "scam posts" if scam else "ordinary"
                print(f"{part:7} {label:9} {kind if kind != '*' else 'ALL':20} {n:4} "
                      f"{said:5} {100 * said / n:6.1f} %  {flagged:5} {100 * flagged / n:6.1f} %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
