"""Accuracy and speed of the intent matcher on the development questions, beside a baseline.

Run by hand: `.venv/bin/python benchmarks/matcher.py [--questions FILE]`. Prints one table.
The baseline is built from the same FAQ examples: TF-IDF over character 1-3-grams, the
nearest example answers, with the threshold chosen by the same search as ours.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.services import build_matcher  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from intents.faq import Faq, load_faq  # noqa: E402

Ranked = tuple[list[str], float]  # intents best first, and the confidence in the first


def load_questions(path: Path) -> list[tuple[str, str | None]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(r["text"], r["intent"]) for r in rows]


def scores(ranked: Sequence[Ranked], gold: Sequence[str | None], threshold: float) -> dict[str, float]:
    """Top-1 and top-3 on in-scope lines, correct fallback on null lines, at a threshold."""
    top1 = top3 = inscope = fallback_ok = nulls = 0
    for (real, confidence), g in zip(ranked, gold, strict=True):
        answered = bool(real) and confidence >= threshold
        if g is None:
            nulls += 1
            fallback_ok += not answered
        else:
            inscope += 1
            top1 += answered and real[0] == g
            top3 += g in real[:3]
    return {
        "top1": top1 / max(inscope, 1),
        "top3": top3 / max(inscope, 1),
        "fallback": fallback_ok / max(nulls, 1),
    }


def best_threshold(ranked: Sequence[Ranked], gold: Sequence[str | None]) -> float:
    """The threshold that maximises the mean of in-scope top-1 and correct fallback."""
    candidates = [t / 100 for t in range(0, 101)]
    return max(candidates, key=lambda t: (lambda s: s["top1"] + s["fallback"])(scores(ranked, gold, t)))


def baseline(faq: Faq) -> Callable[[str], Ranked]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [e for i in faq.intents.values() for e in i.examples]
    labels = [i.id for i in faq.intents.values() for _ in i.examples]
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), lowercase=True)
    matrix = vectorizer.fit_transform(texts)

    def rank(text: str) -> Ranked:
        sims = (matrix @ vectorizer.transform([text]).T).toarray().ravel()
        best: dict[str, float] = {}
        for label, sim in zip(labels, sims, strict=True):
            best[label] = max(best.get(label, 0.0), float(sim))
        ordered = sorted(best.items(), key=lambda kv: -kv[1])
        return [i for i, _ in ordered], ordered[0][1] if ordered else 0.0

    return rank


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def cli_speed(questions: list[str]) -> tuple[float, float]:
    """Start-up to the first answer, and throughput, of `cunjing match` in a subprocess."""
    cmd = [sys.executable, "-m", "bot", "match"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdin and proc.stdout
    proc.stdin.write((questions[0] + "\n").encode())
    proc.stdin.flush()
    proc.stdout.readline()
    first = time.perf_counter() - start
    lines = (questions * (5000 // len(questions) + 1))[:5000]
    t0 = time.perf_counter()
    out, _ = proc.communicate(("\n".join(lines) + "\n").encode())
    elapsed = time.perf_counter() - t0
    assert out.count(b"\n") == len(lines)
    return first, len(lines) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=Path, default=ROOT.parent / "shared" / "eval" / "dev-questions.jsonl")
    parser.add_argument("--no-cli", action="store_true", help="skip the subprocess timings")
    parser.add_argument("--errors", action="store_true", help="print the lines we get wrong")
    args = parser.parse_args()
    settings = load_settings()
    faq = load_faq(settings.faq.dir)
    t0 = time.perf_counter()
    matcher = build_matcher(faq, settings)
    build_s = time.perf_counter() - t0
    data = load_questions(args.questions)
    texts, gold = [t for t, _ in data], [g for _, g in data]

    ours, latencies = [], []
    for text in texts:
        t = time.perf_counter()
        ev = matcher.read(text)
        ours.append(([i for i, _ in ev.ranked], matcher.confidence(ev)))
        latencies.append((time.perf_counter() - t) * 1000)
    base_rank = baseline(faq)
    theirs = [base_rank(t) for t in texts]
    base_t = best_threshold(theirs, gold)
    our_best = best_threshold(ours, gold)

    rows = [
        ("Cunjing matcher (configured threshold)", scores(ours, gold, matcher.threshold), matcher.threshold),
        ("Cunjing matcher (best threshold)", scores(ours, gold, our_best), our_best),
        ("Baseline TF-IDF char 1-3 + nearest (best threshold)", scores(theirs, gold, base_t), base_t),
    ]
    print(f"{len(texts)} questions ({sum(g is not None for g in gold)} in scope, {sum(g is None for g in gold)} null)")
    print(f"{'system':55} {'thr':>5} {'top-1':>7} {'top-3':>7} {'fallback':>9}")
    for name, s, thr in rows:
        print(f"{name:55} {thr:5.2f} {s['top1']:7.1%} {s['top3']:7.1%} {s['fallback']:9.1%}")
    print(f"latency per query: p50 {percentile(latencies, 50):.2f} ms, p99 {percentile(latencies, 99):.2f} ms; "
          f"index built in {build_s:.2f} s")
    if not args.no_cli:
        first, qps = cli_speed(texts)
        print(f"cunjing match: first answer {first:.2f} s after start, throughput {qps:,.0f} queries/s")
    if args.errors:
        for text, g, (real, confidence) in zip(texts, gold, ours, strict=True):
            got = real[0] if real and confidence >= matcher.threshold else None
            if got != g:
                print(f"  want {g!s:35} got {got!s:35} {confidence:.2f}  {text[:70]}")


if __name__ == "__main__":
    main()
