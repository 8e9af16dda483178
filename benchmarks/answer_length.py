"""How long is the first message a villager reads? Before "short first" (the whole answer under its
title) and after (title, what to do now, at most five red flags; the rest behind "More").

Run by hand: `.venv/bin/python benchmarks/answer_length.py`. Prints, per kind of intent and
language, the median and the longest first message in characters, and the same for a scam verdict:
before, the verdict, its reasons and the whole advice; after, the verdict and one action line. The
scam verdicts are those of the FAQ's own fraud examples that the checker calls a scam (no
../shared data). Target: 150 characters, one phone screen at 1.3x font.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from pathlib import Path

from bot.core import checks
from bot.services import Knowledge
from bot.settings import load_settings
from intents.faq import LANGS, MAX_FIRST, Faq

ROOT = Path(__file__).resolve().parent.parent


def row(name: str, before: Iterable[int], after: Iterable[int]) -> str:
    b, a = list(before), list(after)
    over = sum(n > MAX_FIRST for n in a)
    return (
        f"{name:<22} {len(a):>4} {statistics.median(b):>8.0f} {max(b):>6} "
        f"{statistics.median(a):>8.0f} {max(a):>6} {over:>6}"
    )


def verdicts(knowledge: Knowledge, faq: Faq, lang: str) -> tuple[list[int], list[int]]:
    """The verdict messages of every fraud example the checker calls a scam, before and after."""
    before, after = [], []
    for intent in faq.by_kind("fraud"):
        for text in intent.examples:
            result = knowledge.checker.check(text)
            if not result.scam:
                continue
            said = faq.message(f"check.{result.verdict}", lang, risk=round(result.risk * 100))
            reasons = [faq.message("check.reasons", lang), *(f"• {r.get(lang)}" for r in result.reasons[:6])]
            advice = faq.get(result.type) or faq["fraud.general_tips"]
            old = "\n".join([said, *reasons]) + f"\n{faq.message('check.advice', lang)}\n{advice.full(lang)}"
            before.append(len(old))
            after.append(len(checks.first_message(said, advice, lang)))
    return before, after


def main() -> None:
    knowledge = Knowledge.load(load_settings())
    faq = knowledge.faq
    print(f"{'first message':<22} {'n':>4} {'median':>8} {'max':>6} {'median':>8} {'max':>6} {'>150':>6}")
    print(f"{'':<22} {'':>4} {'before':>8} {'before':>6} {'after':>8} {'after':>6} {'after':>6}")
    for lang in LANGS:
        for kind in ("fraud", "service", "chat"):
            intents = faq.by_kind(kind)
            before = [len(i.full(lang)) for i in intents]
            after = [len(i.first(lang)) for i in intents]
            print(row(f"{kind} answer ({lang})", before, after))
        print(row(f"scam verdict ({lang})", *verdicts(knowledge, faq, lang)))


if __name__ == "__main__":
    main()
