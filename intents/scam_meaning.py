"""The scam checker's third opinion: what a message means, read by the sentence encoder.

The n-gram model (scam_model.py) knows the characters of the messages it learned from; a scam of a
kind it never saw, told in other words, shares few of them. The matcher's sentence encoder
(intents/semantic.py) places messages by meaning. A logistic regression on its vectors (the head:
384 weights) learns scam from legitimate on the same written messages, and the decision gains a
term: P(scam) = sigmoid(c0 + c1 * rule risk + c2 * n-gram logit + c3 * head logit). Without the
encoder the checker keeps the decision without it (`ScamModel.combine`).

Trained by `cunjing faq calibrate` (intents/scam_training.py); figures in the README ("Scam checker",
"A guard in village groups").
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

CHARS = 200  # a message is read on its first CHARS prepared characters: the pitch comes first
SCALE = 10.0  # a unit vector's entries are about 0.05: scaled so that one regularisation suits the head
L2 = 1.0  # measured by cross-validation on the written messages: 0.1 and 1 alike, 10 far worse


@dataclass(frozen=True)
class MeaningHead:
    """The head's weights, for one encoder, and the decision that uses it."""

    encoder: str
    weights: npt.NDArray[np.float64]
    bias: float
    combine: tuple[float, ...]  # c0, c1 (rule risk), c2 (n-gram logit), c3 (head logit)

    def logit(self, vector: npt.NDArray[np.float32]) -> float:
        """The head's log-odds that the message of `vector` is a scam."""
        return float(self.bias + SCALE * float(vector @ self.weights))

    def as_json(self) -> dict[str, Any]:
        return {
            "encoder": self.encoder,
            "bias": round(self.bias, 6),
            "combine": [round(c, 6) for c in self.combine],
            "weights": base64.b64encode(self.weights.astype("<f4").tobytes()).decode("ascii"),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MeaningHead:
        weights = np.frombuffer(base64.b64decode(data["weights"]), dtype="<f4").astype(np.float64)
        combine = tuple(float(c) for c in data["combine"])
        if len(combine) != 4:
            raise ValueError("scam model: the meaning head's decision needs four numbers")
        return cls(str(data["encoder"]), weights, float(data["bias"]), combine)


def fit_head(
    vectors: npt.NDArray[np.float32], labels: Sequence[bool], steps: int = 2000, rate: float = 0.5
) -> tuple[npt.NDArray[np.float64], float]:
    """Logistic regression on the messages' vectors by gradient descent (deterministic)."""
    x = np.hstack([np.ones((len(vectors), 1)), SCALE * vectors.astype(np.float64)])
    y = np.array(labels, dtype=np.float64)
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        grad = x.T @ (p - y) / len(y)
        grad[1:] += L2 * w[1:] / len(y)
        w -= rate * grad
    return w[1:], float(w[0])
