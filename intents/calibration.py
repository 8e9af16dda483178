"""Calibrating the matcher's confidence on the FAQ itself, without any evaluation data.

Each example question is matched with itself left out of the index (and each out-of-scope
question likewise); a logistic regression learns, from the matcher's signals, how likely the
best intent is right. Its four numbers go into faq/calibration.yaml.

Clean examples alone teach it too much caution: villagers' text is noisier than the FAQ, so
their right answers score lower and fell back. Each example is therefore also matched as a
villager would write it (`noisy`): run together without punctuation, a few characters swapped
for same-sounding ones (the accent's mergers of faq/dialect.yaml: what a speech recogniser or a
pinyin keyboard produces), and Mandarin words put back into dialect from the same tables.
"""

from __future__ import annotations

import math
import random
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import yaml

from intents import pinyin
from intents.dialect import Dialect
from intents.matcher import Matcher, sigmoid
from intents.strategies import NONE

SWAP = 0.15  # the share of characters a noisy variant writes with a same-sounding one
_CJK = re.compile(r"[\u3400-\u9fff]")

Sample = tuple[tuple[float, float, float], int]


class Noise:
    """Noisy variants of a normalised text, from the dialect tables (deterministic for a seed)."""

    def __init__(self, dialect: Dialect, texts: Sequence[str]) -> None:
        self.fold = dialect.fold
        by_sound: dict[str, set[str]] = defaultdict(set)
        for text in texts:
            for ch in set(_CJK.findall(text)):
                by_sound[dialect.fold(pinyin.spoken(ch))].add(ch)
        self.alike = {sound: sorted(chars) for sound, chars in by_sound.items()}
        # Mandarin back into dialect: the longest Mandarin words first, each once
        back: dict[str, str] = {}
        for table in (dialect.tables.phrases, dialect.tables.words):
            for written, mandarin in table.items():
                if len(mandarin) <= 3 and pinyin.spoken(written) != pinyin.spoken(mandarin):
                    back.setdefault(mandarin, written)
        self.back = dict(sorted(back.items(), key=lambda kv: -len(kv[0])))

    def sound_alike(self, text: str, rng: random.Random) -> str:
        out = []
        for ch in text:
            if _CJK.match(ch) and rng.random() < SWAP:
                others = [c for c in self.alike.get(self.fold(pinyin.spoken(ch)), ()) if c != ch]
                ch = rng.choice(others) if others else ch
            out.append(ch)
        return "".join(out)

    def dialect_swap(self, text: str) -> str:
        for mandarin, written in self.back.items():
            if mandarin in text:
                text = text.replace(mandarin, written)
        return text

    def variants(self, text: str, seed: int) -> list[str]:
        """Unpunctuated, sound-alike and dialect variants of `text` (those that differ from it)."""
        rng = random.Random(seed)
        run_together = text.replace(" ", "") if _CJK.search(text) else text
        found = [run_together, self.sound_alike(run_together, rng), self.dialect_swap(text)]
        return [v for v in dict.fromkeys(found) if v != text]


def samples(matcher: Matcher, noisy: bool = True) -> list[Sample]:
    """(signals, 1 if the best intent is right else 0) for every example, left out in turn,
    as written and (`noisy`) as villagers would write it."""
    out: list[Sample] = []
    noise = Noise(matcher.dialect, [e.text for e in matcher.examples]) if noisy else None
    for index, example in enumerate(matcher.examples):
        texts = [example.text] + (noise.variants(example.text, index) if noise else [])
        for text in texts:
            ev = matcher.read(text, exclude=index)
            right = example.intent != NONE and bool(ev.ranked) and ev.ranked[0][0] == example.intent
            out.append((ev.signals(), int(right)))
    return out


def fit(data: Sequence[Sample], steps: int = 3000, rate: float = 0.5, l2: float = 1e-3) -> tuple[float, ...]:
    """Logistic regression by gradient descent: (bias, w_best, w_margin, w_out_of_scope)."""
    w = [0.0, 0.0, 0.0, 0.0]
    n = len(data)
    for _ in range(steps):
        grad = [0.0, 0.0, 0.0, 0.0]
        for (best, margin, none), label in data:
            x = (1.0, best, margin, none)
            error = sigmoid(sum(wi * xi for wi, xi in zip(w, x, strict=True))) - label
            for i in range(4):
                grad[i] += error * x[i]
        w = [wi - rate * (g / n + (l2 * wi if i else 0.0)) for i, (wi, g) in enumerate(zip(w, grad, strict=True))]
    return tuple(round(v, 4) for v in w)


def log_loss(data: Sequence[Sample], w: Sequence[float]) -> float:
    total = 0.0
    for (best, margin, none), label in data:
        p = sigmoid(w[0] + w[1] * best + w[2] * margin + w[3] * none)
        total -= math.log(max(p if label else 1 - p, 1e-12))
    return total / max(len(data), 1)


def write(path: Path, w: Sequence[float], n: int) -> None:
    header = (
        "# The matcher's confidence = sigmoid(bias + best*score + margin*(score - second) + out_of_scope*none).\n"
        f"# Written by `cunjing faq calibrate` from {n} samples (the FAQ questions and their noisy\n"
        "# variants), each question left out in turn. Do not edit by hand.\n"
    )
    body = {"calibration": dict(zip(("bias", "best", "margin", "out_of_scope"), w, strict=True))}
    path.write_text(header + yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
