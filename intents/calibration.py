"""Calibrating the matcher's confidence on the FAQ itself, without any evaluation data.

Each example question is matched with itself left out of the index (and each out-of-scope
question likewise); a logistic regression learns, from the matcher's signals, how likely the
best intent is right. Its four numbers go into faq/calibration.yaml.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import yaml

from intents.matcher import Matcher, sigmoid
from intents.strategies import NONE

Sample = tuple[tuple[float, float, float], int]


def samples(matcher: Matcher) -> list[Sample]:
    """(signals, 1 if the best intent is right else 0) for every example, left out in turn."""
    out: list[Sample] = []
    for index, example in enumerate(matcher.examples):
        ev = matcher.evidence(matcher.query(example.text, exclude=index))
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
        f"# Written by `cunjing faq calibrate` from {n} FAQ questions, each left out in turn. Do not edit by hand.\n"
    )
    body = {"calibration": dict(zip(("bias", "best", "margin", "out_of_scope"), w, strict=True))}
    path.write_text(header + yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
