"""The scam checker's statistical model: logistic regression over hashed character 1-3-grams.

Beside the rules of faq/scam_rules.yaml, a small learned model gives a second opinion, and one
calibrated decision combines the two: P(scam) = sigmoid(c0 + c1 * rule risk + c2 * model logit).
The rules' reasons stay the explanation. Trained by `cunjing faq calibrate` (intents/scam_training.py)
on faq/scam_messages.jsonl and written to faq/scam_model.json.

Written here rather than with scikit-learn (a dev dependency only): importing sklearn's linear
model and text features took 1.3-1.7 s on this 2-core machine (numpy already loaded), this module
under 10 ms, and the model is 40 lines of numpy. The n-grams are hashed with integer arithmetic on
the code points (no per-gram Python calls): 0.08 ms for a 108-character message.
"""

from __future__ import annotations

import base64
import json
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from intents.scam_meaning import MeaningHead

MODEL_FILE = "scam_model.json"
BITS = 16  # 65,536 buckets: collisions cost little at this data size, the file stays small
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of x * φ·2^64
_DIGITS = str.maketrans("123456789", "000000000")  # a number's digits say nothing; its length does
_QUANT = 127  # weights are stored as int8 steps of max|w| / 127


def buckets(text: str, bits: int = BITS) -> npt.NDArray[np.int64]:
    """The distinct hashed buckets of the character 1-, 2- and 3-grams of prepared `text`."""
    codes = np.frombuffer(text.translate(_DIGITS).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if codes.size == 0:
        return np.zeros(0, dtype=np.int64)
    # code points are below 2^21: a gram of up to three packs into one integer without clashes
    bi = (codes[:-1] << np.uint64(21)) | codes[1:]
    tri = (bi[:-1] << np.uint64(21)) | codes[2:]
    grams = np.concatenate([codes, bi | np.uint64(1 << 63), tri])
    return np.unique((grams * _MIX) >> np.uint64(64 - bits)).astype(np.int64)


def _clip(logit: float) -> float:
    return max(-30.0, min(30.0, logit))


def sigmoid(x: float) -> float:
    """The logistic function, safe for large |x|."""
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


@dataclass(frozen=True)
class ScamModel:
    """Weights of the n-gram model and of the decision that combines it with the rules."""

    weights: npt.NDArray[np.float64]
    bias: float
    combine: tuple[float, float, float]  # c0, c1 (rule risk), c2 (model logit)
    trained_on: int = 0
    meaning: MeaningHead | None = None  # the encoder's opinion and the decision with it (scam_meaning.py)

    def logit(self, text: str) -> float:
        """The model's log-odds that prepared `text` is a scam."""
        found = buckets(text, int(math.log2(self.weights.size)))
        if found.size == 0:
            return self.bias
        return float(self.bias + self.weights[found].sum() / math.sqrt(found.size))

    def probability(self, rule_risk: float, logit: float, meaning: float | None = None) -> float:
        """The calibrated probability of a scam from the rules' risk and the model's logit, and the
        meaning head's logit when the encoder read the message."""
        if meaning is not None and self.meaning is not None:
            c0, c1, c2, c3 = self.meaning.combine
            return sigmoid(c0 + c1 * rule_risk + c2 * _clip(logit) + c3 * _clip(meaning))
        c0, c1, c2 = self.combine
        return sigmoid(c0 + c1 * rule_risk + c2 * _clip(logit))

    def as_json(self) -> dict[str, Any]:
        """The model as written to faq/scam_model.json (weights quantised to int8, compressed)."""
        scale = float(np.abs(self.weights).max()) or 1.0
        steps = np.round(self.weights / scale * _QUANT).astype(np.int8)
        return {
            "about": "The scam checker's n-gram model and decision. Written by `cunjing faq calibrate`; do not edit.",
            "bits": int(math.log2(self.weights.size)),
            "trained_on": self.trained_on,
            "bias": round(self.bias, 6),
            "combine": [round(c, 6) for c in self.combine],
            "scale": round(scale / _QUANT, 9),
            "weights": base64.b64encode(zlib.compress(steps.tobytes(), 9)).decode("ascii"),
            **({"meaning": self.meaning.as_json()} if self.meaning is not None else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScamModel:
        """The model of `as_json`."""
        steps = np.frombuffer(zlib.decompress(base64.b64decode(data["weights"])), dtype=np.int8)
        if steps.size != 1 << int(data["bits"]):
            raise ValueError("scam model: weights do not match bits")
        c0, c1, c2 = (float(c) for c in data["combine"])
        meaning = MeaningHead.from_json(data["meaning"]) if "meaning" in data else None
        return cls(steps.astype(np.float64) * float(data["scale"]), float(data["bias"]), (c0, c1, c2),
                   int(data.get("trained_on", 0)), meaning)

    def write(self, path: Path) -> None:
        """Write the model file (deterministic: the same model gives the same bytes)."""
        path.write_text(json.dumps(self.as_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def load_model(path: Path) -> ScamModel | None:
    """The model of `path`, or None when there is none (the checker then uses the rules alone)."""
    if not path.is_file():
        return None
    return ScamModel.from_json(json.loads(path.read_text(encoding="utf-8")))


def fit_weights(docs: list[npt.NDArray[np.int64]], labels: list[bool], bits: int = BITS,
                l2: float = 1e-4, steps: int = 400) -> tuple[npt.NDArray[np.float64], float]:
    """Logistic regression on the bucket sets `docs` (each scaled to unit length), full-batch Adam.

    Deterministic: no random start, no shuffling. Classes are weighted to count equally.
    """
    size = 1 << bits
    rows = np.concatenate([np.full(d.size, i) for i, d in enumerate(docs)]) if docs else np.zeros(0, np.int64)
    cols = np.concatenate(docs) if docs else np.zeros(0, np.int64)
    vals = np.concatenate([np.full(d.size, 1.0 / math.sqrt(max(d.size, 1))) for d in docs]) if docs else np.zeros(0)
    y = np.array(labels, dtype=np.float64)
    n_pos = max(y.sum(), 1.0)
    n_neg = max(len(y) - y.sum(), 1.0)
    sample = np.where(y > 0, len(y) / (2 * n_pos), len(y) / (2 * n_neg))
    w = np.zeros(size)
    b = 0.0
    m, v, mb, vb = np.zeros(size), np.zeros(size), 0.0, 0.0
    rate, beta1, beta2, eps = 0.1, 0.9, 0.999, 1e-8
    for t in range(1, steps + 1):
        z = np.bincount(rows, weights=w[cols] * vals, minlength=len(y)) + b
        err = (1.0 / (1.0 + np.exp(-np.clip(z, -30, 30))) - y) * sample / len(y)
        g = np.bincount(cols, weights=err[rows] * vals, minlength=size) + l2 * w
        gb = float(err.sum())
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        mb = beta1 * mb + (1 - beta1) * gb
        vb = beta2 * vb + (1 - beta2) * gb * gb
        step = rate * math.sqrt(1 - beta2**t) / (1 - beta1**t)
        w -= step * m / (np.sqrt(v) + eps)
        b -= step * mb / (math.sqrt(vb) + eps)
    return w, b


FALSE_ALARM_COST = 3.0  # a legitimate message flagged counts as much as this many scams missed


def fit_combination(features: Sequence[Sequence[float]], labels: list[bool], l2: float = 1.0,
                    false_alarm_cost: float = FALSE_ALARM_COST) -> tuple[float, ...]:
    """c0, c1, ... of the decision: weighted logistic regression on (rule risk, model logit[, head
    logit]), Newton's method.

    The written legitimate messages are cleaner than real ones (the public sets showed the model's
    false alarms doubling at equal weights), so a false alarm is weighted `false_alarm_cost`.
    """
    x = np.array([[1.0, f[0], *(_clip(v) for v in f[1:])] for f in features])
    y = np.array(labels, dtype=np.float64)
    sw = np.where(y > 0, 1.0, false_alarm_cost)
    c = np.zeros(x.shape[1])
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ c, -30, 30)))
        grad = x.T @ ((p - y) * sw) + l2 * c
        hess = x.T @ (x * (p * (1 - p) * sw)[:, None]) + l2 * np.eye(x.shape[1])
        delta = np.linalg.solve(hess, grad)
        c -= delta
        if np.abs(delta).max() < 1e-9:
            break
    return tuple(float(v) for v in c)
