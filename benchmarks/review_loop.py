"""What the review loop buys, on our own field set (benchmarks/field_questions.jsonl).

Run by hand: `.venv/bin/python benchmarks/review_loop.py`. Half the field set (every other line) is
"asked and unanswered": each line is asked of the bot's matcher and recorded as the bot records a
question (a temporary SQLite database). Then the review loop runs as an administrator would run it,
through the same code as `/review` and `cunjing faq review` (bot/store/reviews.py picks the next
question that fell back or scored low; bot/review.py checks and writes it to a copy of the FAQ),
the field set's label standing in for the administrator's choice; the matcher is calibrated once at
the end, as the terminal does. The other half is measured before and after: top-1 and top-3 on
in-scope lines, correct fallback on out-of-scope lines, at the configured threshold.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.matcher import scores  # noqa: E402
from bot import review  # noqa: E402
from bot.faq_tools import recalibrate  # noqa: E402
from bot.services import build_matcher  # noqa: E402
from bot.settings import Settings, load_settings  # noqa: E402
from bot.store import db, reviews, usage  # noqa: E402
from bot.store.types import utcnow  # noqa: E402
from intents.faq import load_faq  # noqa: E402
from intents.matcher import Matcher  # noqa: E402

FIELD = ROOT / "benchmarks" / "field_questions.jsonl"
Line = tuple[str, str | None]


def measure(matcher: Matcher, lines: list[Line]) -> dict[str, float]:
    ranked = []
    for text, _ in lines:
        ev = matcher.read(text)
        ranked.append(([i for i, _ in ev.ranked], matcher.confidence(ev)))
    return scores(ranked, [gold for _, gold in lines], matcher.threshold)


def run_loop(settings: Settings, asked: list[Line]) -> dict[str, float]:
    """Ask, record, review: returns what the loop did."""
    matcher = build_matcher(load_faq(settings.faq.dir), settings)
    engine = db.make_engine(settings.database)
    db.upgrade(engine)
    factory = db.session_factory(engine)
    gold = dict(asked)
    with factory.begin() as session:
        for text, _ in asked:
            usage.record_question(session, None, text, matcher.match(text))
    offered = added = refused = 0
    checking = 0.0
    while True:
        with factory.begin() as session:
            question = reviews.next_pending(session, settings.matcher.threshold)
            if question is None:
                break
            offered += 1
            label = gold.get(question.text) or review.OUT
            started = time.perf_counter()
            result = review.add(settings, [review.Label(question.text, label, "benchmark", utcnow())])
            checking += time.perf_counter() - started
            added += len(result.added)
            refused += len(result.refused)
            reviews.mark(session, question, label if result.added else reviews.SKIP, "benchmark")
    engine.dispose()
    started = time.perf_counter()
    recalibrate(settings.faq.dir, settings)
    return {"offered": offered, "added": added, "refused": refused,
            "per_choice": checking / max(offered, 1), "calibration": time.perf_counter() - started}


def main() -> None:
    rows = [json.loads(line) for line in FIELD.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines: list[Line] = [(r["text"], r["intent"]) for r in rows]
    asked, held = lines[0::2], lines[1::2]
    with tempfile.TemporaryDirectory(prefix="cunjing-review-bench-") as tmp:
        base = load_settings()
        faq = Path(tmp) / "faq"
        shutil.copytree(base.faq.dir, faq)
        (faq / review.FILE).write_text(review.HEADER, encoding="utf-8")  # the loop starts from none
        settings = load_settings(env={
            "CUNJING_FAQ__DIR": str(faq),
            "CUNJING_DATABASE__URL": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
        })
        before = measure(build_matcher(load_faq(faq), settings), held)
        before_asked = measure(build_matcher(load_faq(faq), settings), asked)
        did = run_loop(settings, asked)
        after_matcher = build_matcher(load_faq(faq), settings)
        after, after_asked = measure(after_matcher, held), measure(after_matcher, asked)
    in_held = sum(g is not None for _, g in held)
    print(f"field set {len(lines)} lines: {len(asked)} asked and reviewed, {len(held)} held out "
          f"({in_held} in scope, {len(held) - in_held} out of scope)")
    print(f"loop: {did['offered']:.0f} offered (fell back or scored low), {did['added']:.0f} added, "
          f"{did['refused']:.0f} refused; {did['per_choice']:.1f} s a choice, calibration {did['calibration']:.0f} s")
    print(f"{'':22} {'top-1':>7} {'top-3':>7} {'fallback':>9}")
    for name, s in (("held out, before", before), ("held out, after", after),
                    ("reviewed half, before", before_asked), ("reviewed half, after", after_asked)):
        print(f"{name:22} {s['top1']:7.1%} {s['top3']:7.1%} {s['fallback']:9.1%}")


if __name__ == "__main__":
    main()
