"""How well the bot reads screenshots: OCR character accuracy and the scam verdict on what it read.

Run by hand: `.venv/bin/python benchmarks/ocr.py`. The screenshots are drawn here
(tests/fakes/screenshots.py: 56 text messages of our own, 30 scams and 26 ordinary ones, each
once, in turn clean, noisy or low-resolution). For each look it prints:

- characters: 1 - (edit distance / characters drawn), whitespace left out on both sides, over
  everything drawn on the screen (status bar time, sender, date, the message);
- verdict: the checker's verdict on the words read is right (a scam flagged `scam` or
  `suspicious`, an ordinary message `safe`), beside the same on the text as written;
- agree: the verdict on the words read is the verdict on the text as written;
- seconds per screenshot (median, one at a time, as the bot reads them).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from bot.reading import reader  # noqa: E402
from bot.services import Knowledge  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from tests.fakes.screenshots import LOOKS, all_screenshots  # noqa: E402


def squeeze(text: str) -> str:
    return "".join(text.split())


def main() -> None:
    checker = Knowledge.load(load_settings(env={})).checker
    read = reader()
    read.lines(all_screenshots()[0].image)  # the models load before the clock starts
    rows: dict[str, list[tuple[float, bool, bool, bool, float]]] = defaultdict(list)
    for shot in all_screenshots():
        start = time.perf_counter()
        words = read.text(shot.image)
        seconds = time.perf_counter() - start
        truth = squeeze("".join(shot.drawn))
        chars = max(0.0, 1 - Levenshtein.distance(squeeze(words), truth) / len(truth))
        scam = shot.sms.label == "scam"
        on_read = checker.check(words).scam
        on_truth = checker.check(shot.sms.text).scam
        rows[shot.look].append((chars, on_read == scam, on_truth == scam, on_read == on_truth, seconds))
        if on_read != on_truth or chars < 0.9:
            print(f"  {shot.look:6} chars {chars:.3f} verdict read={on_read} truth={on_truth}: {words!r}")
    print(f"{'look':8}{'n':>4}{'characters':>12}{'verdict (read)':>16}{'verdict (text)':>16}{'agree':>8}{'s/shot':>8}")
    everything = [row for look in LOOKS for row in rows[look]]
    for look, found in [*((look, rows[look]) for look in LOOKS), ("all", everything)]:
        n = len(found)
        print(
            f"{look:8}{n:>4}"
            f"{statistics.fmean(r[0] for r in found):>12.1%}"
            f"{sum(r[1] for r in found) / n:>16.1%}{sum(r[2] for r in found) / n:>16.1%}"
            f"{sum(r[3] for r in found) / n:>8.1%}{statistics.median(r[4] for r in found):>8.2f}"
        )


if __name__ == "__main__":
    main()
