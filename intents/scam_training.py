"""Training the scam checker's model at `cunjing faq calibrate`: faq/scam_messages.jsonl in, faq/scam_model.json out.

1. Every written message is prepared as the checker prepares text and judged by the rules alone.
2. The n-gram model is trained 5 times, each time without one fifth of the messages, and gives its
   logit on the fifth it did not see (cross-validation, folds fixed by a seed). The variants of one
   written kind (`kind`, one template) stay in one fold: otherwise the model is scored on near
   copies of what it learned, looks perfect, and the decision would trust it blindly.
3. The decision (rule risk, model logit) -> P(scam) is fitted on those unseen logits.
4. The model is trained once more on all messages and written with the decision's weights.
5. With the sentence encoder (intents/semantic.py), its head (scam_meaning.py) is cross-validated
   on the same folds, and a second decision (rule risk, model logit, head logit) is fitted on the
   unseen logits of both; the head is trained once more on all messages and written beside.
Deterministic: the same files give the same model file.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from intents.scam_meaning import CHARS, SCALE, MeaningHead, fit_head
from intents.scam_model import MODEL_FILE, ScamModel, buckets, fit_combination, fit_weights
from intents.scamcheck import ScamChecker
from intents.semantic import Encoder

MESSAGES_FILE = "scam_messages.jsonl"
FOLDS = 5
SEED = 16


@dataclass(frozen=True)
class Labelled:
    """One written message."""

    text: str
    scam: bool
    kind: str = ""


def read_messages(path: Path) -> list[Labelled]:
    """The labelled lines of `path` (lines without `scam`, like the header, are skipped)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if "scam" in row:
                out.append(Labelled(str(row["text"]), bool(row["scam"]), str(row.get("kind", ""))))
    return out


def folds(kinds: list[str], k: int = FOLDS, seed: int = SEED) -> list[int]:
    """The fold of each item: its kind's, the kinds shuffled with a seed and dealt out in turn
    (an item without a kind is a kind of its own)."""
    names = sorted({kind or f"#{i}" for i, kind in enumerate(kinds)})
    random.Random(seed).shuffle(names)
    fold_of = {name: position % k for position, name in enumerate(names)}
    return [fold_of[kind or f"#{i}"] for i, kind in enumerate(kinds)]


def cross_validated(faq_dir: Path) -> tuple[list[Labelled], list[float], list[float]]:
    """The written messages, the rules' risk of each and the model's logit on each unseen."""
    checker = ScamChecker.from_dir(faq_dir, with_model=False)
    items = read_messages(faq_dir / MESSAGES_FILE)
    docs = [buckets(checker.prepare(i.text)) for i in items]
    risks = [checker.check(i.text).risk for i in items]
    fold = folds([i.kind for i in items])
    logits = [0.0] * len(items)
    for k in range(FOLDS):
        train = [i for i in range(len(items)) if fold[i] != k]
        w, b = fit_weights([docs[i] for i in train], [items[i].scam for i in train])
        model = ScamModel(w, b, (0.0, 0.0, 1.0))
        for i in range(len(items)):
            if fold[i] == k:
                logits[i] = model.logit(checker.prepare(items[i].text))
    return items, risks, logits


def cross_validated_meaning(
    items: list[Labelled], checker: ScamChecker, encoder: Encoder
) -> tuple[npt.NDArray[np.float32], list[float]]:
    """The messages' vectors, and the meaning head's logit on each by a head that never saw its kind
    (the folds of the n-gram model)."""
    vectors = encoder.encode([checker.prepare(i.text)[:CHARS] for i in items], keep=True)
    labels = [i.scam for i in items]
    fold = np.array(folds([i.kind for i in items]))
    unseen = np.zeros(len(items))
    for k in range(FOLDS):
        seen = fold != k
        head_w, head_b = fit_head(vectors[seen], [label for label, s in zip(labels, seen, strict=True) if s])
        unseen[~seen] = head_b + SCALE * vectors[~seen].astype(np.float64) @ head_w
    return vectors, unseen.tolist()


def train(faq_dir: Path, encoder: Encoder | None = None) -> ScamModel:
    """The model of the written messages of `faq_dir`, with its calibrated decision (and, given the
    encoder, its meaning head and the decision with it)."""
    items, risks, logits = cross_validated(faq_dir)
    labels = [i.scam for i in items]
    combine = fit_combination(list(zip(risks, logits, strict=True)), labels)
    checker = ScamChecker.from_dir(faq_dir, with_model=False)
    w, b = fit_weights([buckets(checker.prepare(i.text)) for i in items], labels)
    c0, c1, c2 = combine
    meaning = None
    if encoder is not None:
        vectors, unseen = cross_validated_meaning(items, checker, encoder)
        both = fit_combination(list(zip(risks, logits, unseen, strict=True)), labels)
        head_w, head_b = fit_head(vectors, labels)
        meaning = MeaningHead(encoder.name, head_w, head_b, both)
    return ScamModel(w, b, (c0, c1, c2), trained_on=len(items), meaning=meaning)


def calibrate(faq_dir: Path, encoder: Encoder | None = None) -> str:
    """Train and write faq/scam_model.json; a line saying what was written (nothing without the messages)."""
    if not (faq_dir / MESSAGES_FILE).is_file():
        return f"{faq_dir / MESSAGES_FILE}: not found, scam model not trained"
    model = train(faq_dir, encoder)
    model.write(faq_dir / MODEL_FILE)
    c0, c1, c2 = model.combine
    line = (f"{faq_dir / MODEL_FILE}: {model.trained_on} messages; "
            f"P(scam) = sigmoid({c0:.2f} + {c1:.2f} * rule risk + {c2:.2f} * model logit)")
    if model.meaning is not None:
        d0, d1, d2, d3 = model.meaning.combine
        line += (f"\n  with {model.meaning.encoder}: sigmoid({d0:.2f} + {d1:.2f} * rule risk + {d2:.2f} * model logit"
                 f" + {d3:.2f} * meaning logit)")
    return line
