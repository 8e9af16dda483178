"""Calibrating the matcher's confidence on the FAQ itself, without any evaluation data.

Each example question is matched with itself left out of the index (and each out-of-scope
question likewise); a logistic regression learns, from the matcher's signals, how likely the
best intent is right. Its four numbers go into faq/calibration.yaml.

Clean examples alone teach it too much caution: villagers' text is noisier than the FAQ, so
their right answers score lower and fell back. Each example is therefore also matched as a
villager would write it (`noisy`): run together without punctuation, a few characters swapped
for same-sounding ones (the accent's mergers of faq/dialect.yaml: what a speech recogniser or a
pinyin keyboard produces), and Mandarin words put back into dialect from the same tables.

With a sentence encoder (intents/semantic.py) a second set of numbers is learned the same way,
on the same questions, with the encoder's four signals beside the words' three: it is the
confidence whenever the encoder has read a question (`semantic:` in calibration.yaml).
"""

from __future__ import annotations

import math
import random
import re
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from intents import pinyin
from intents.dialect import Dialect
from intents.evidence import Evidence
from intents.faq_model import SemanticCalibration
from intents.matcher import Matcher, sigmoid
from intents.strategies import NONE

SWAP = 0.15  # the share of characters a noisy variant writes with a same-sounding one
_CJK = re.compile(r"[\u3400-\u9fff]")

Sample = tuple[tuple[float, ...], int]  # (signals, 1 if the best intent is right else 0)


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


@dataclass(frozen=True)
class Samples:
    """The calibration's data: the words' signals, and (with an encoder) the words' and the encoder's."""

    words: list[Sample]
    meaning: list[Sample]


def samples(matcher: Matcher, noisy: bool = True) -> Samples:
    """(signals, 1 if the best intent is right else 0) for every example, left out in turn,
    as written and (`noisy`) as villagers would write it."""
    noise = Noise(matcher.dialect, [e.text for e in matcher.examples]) if noisy else None
    texts: list[tuple[str, int]] = []
    for index, example in enumerate(matcher.examples):
        # seeded by the text, so a question added to the FAQ changes no other question's variants
        seed = zlib.crc32(example.text.encode())
        texts += [(t, index) for t in [example.text] + (noise.variants(example.text, seed) if noise else [])]
    found = [matcher.read_words(text, exclude=index) for text, index in texts]
    words: list[Sample] = [
        (ev.signals(), _right(matcher, ev, index)) for ev, (_, index) in zip(found, texts, strict=True)
    ]
    meaning: list[Sample] = []
    if matcher.meaning is not None:
        near = matcher.meaning.nearness([t for t, _ in texts], [i for _, i in texts], keep=True)
        for ev, row, (_, index) in zip(found, near, texts, strict=True):
            read = matcher.with_meaning(ev, row)
            if read.meaning is not None:
                meaning.append(((*read.signals(), *read.meaning), _right(matcher, read, index)))
    return Samples(words, meaning)


def _right(matcher: Matcher, ev: Evidence, index: int) -> int:
    intent = matcher.examples[index].intent
    return int(intent != NONE and bool(ev.ranked) and ev.ranked[0][0] == intent)


def fit(
    data: Sequence[Sample], steps: int = 3000, rate: float = 0.5, l2: float = 1e-3, standardise: bool = False
) -> tuple[float, ...]:
    """Logistic regression by gradient descent: (bias, one weight a signal).

    The words' three signals spread over 0..1 and are fitted as they are (3,000 steps stop short of
    convergence, which keeps their weights moderate; converged, the confidence turned needlessly
    harsh on out-of-scope likeness: dev top-1 97.6 -> 97.2 %). The encoder's cosines all sit in
    0.75..1.0, so with them the signals are standardised first, or they would barely move."""
    x = np.array([signals for signals, _ in data], dtype=np.float64)
    y = np.array([label for _, label in data], dtype=np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    if not standardise:
        mean, scale = np.zeros_like(mean), np.ones_like(scale)
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        grad = z.T @ (p - y) / len(y)
        grad[1:] += l2 * w[1:]
        w -= rate * grad
    weights = w[1:] / scale  # back to the signals' own units
    bias = w[0] - float(weights @ mean)
    return tuple(round(float(v), 4) for v in (bias, *weights))


def log_loss(data: Sequence[Sample], w: Sequence[float]) -> float:
    total = 0.0
    for signals, label in data:
        p = sigmoid(w[0] + sum(wi * xi for wi, xi in zip(w[1:], signals, strict=True)))
        total -= math.log(max(p if label else 1 - p, 1e-12))
    return total / max(len(data), 1)


def write(path: Path, words: Sequence[float], n: int, semantic: SemanticCalibration | None = None) -> None:
    header = (
        "# The matcher's confidence = sigmoid(bias + best*score + margin*(score - second) + out_of_scope*none).\n"
        f"# Written by `cunjing faq calibrate` from {n} samples (the FAQ questions and their noisy\n"
        "# variants), each question left out in turn. Do not edit by hand.\n"
    )
    body: dict[str, object] = {"calibration": dict(zip(("bias", "best", "margin", "out_of_scope"), words, strict=True))}
    if semantic is not None:
        header += (
            "# `semantic`: the same when the sentence encoder has read the question (intents/semantic.py),\n"
            "# with its four signals beside the words' three; learned for that encoder only.\n"
        )
        values = dict(zip(SemanticCalibration.KEYS, semantic.weights, strict=True))
        body["semantic"] = {"encoder": semantic.encoder, "bias": semantic.bias, **values}
    path.write_text(header + yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
