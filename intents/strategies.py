"""The matcher's strategies: each scores every intent in 0..1 for a query.

They see the FAQ as analysed examples, TF-IDF vectors and keywords, and know nothing of
thresholds or fallbacks: the matcher weighs their scores and decides.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from intents.gapped import Gapped

NONE = "_none"  # the pseudo-intent of out-of-scope questions
FUZZY_CHARS = 120
FEATURE_WEIGHT = {"w": 1.0, "b": 0.6, "p": 0.4}  # words say most; bigrams and sounds catch typos


@dataclass(frozen=True)
class Query:
    text: str  # normalised
    features: tuple[str, ...]
    segmented: str  # words joined by spaces, for the fuzzy scorer
    exclude: int | None = None  # an example to leave out (validation's leave-one-out)
    vector: Mapping[str, float] = field(default_factory=dict)  # TF-IDF of `features`, shared by two strategies
    spoken: bool = False  # typed in pinyin: `text` is its syllables, matched against the FAQ as spoken


@dataclass(frozen=True)
class Example:
    intent: str
    text: str  # normalised


Scores = npt.NDArray[np.float64]  # one score per intent of the `IntentIndex`, in its order


class Strategy(Protocol):
    name: str

    def scores(self, query: Query) -> Scores:
        """A score in 0..1 for each intent (0: no evidence)."""
        ...


class IntentIndex:
    """The intents in one fixed order, by id (so that ranking by position breaks ties by id)."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.ids = sorted(set(ids) | {NONE})
        self.position = {intent: i for i, intent in enumerate(self.ids)}

    def zeros(self) -> Scores:
        return np.zeros(len(self.ids))


def tfidf_vector(feats: Iterable[str], idf: Mapping[str, float]) -> dict[str, float]:
    """Unit-length TF-IDF weights of a text's features, words weighing most."""
    counts: dict[str, int] = defaultdict(int)
    for f in feats:
        counts[f] += 1
    vec = {f: (1 + math.log(c)) * idf.get(f, 0.0) * FEATURE_WEIGHT[f[0]] for f, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {f: v / norm for f, v in vec.items() if v}


Posting = tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]  # (rows, weights) of one feature


def _postings(rows: Iterable[tuple[int, Mapping[str, float]]]) -> dict[str, Posting]:
    """Feature -> the rows (examples, intents) that have it, with their weights."""
    lists: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
    for row, vector in rows:
        for feat, weight in vector.items():
            lists[feat][0].append(row)
            lists[feat][1].append(weight)
    return {f: (np.array(r, dtype=np.intp), np.array(w)) for f, (r, w) in lists.items()}


def _dots(postings: Mapping[str, Posting], vector: Mapping[str, float], size: int) -> npt.NDArray[np.float64]:
    """The query vector's dot product with every row, in one pass over the query's features."""
    rows, weights, query, lengths = [], [], [], []
    for feat, qw in vector.items():
        posting = postings.get(feat)
        if posting is not None:
            rows.append(posting[0])
            weights.append(posting[1])
            query.append(qw)
            lengths.append(len(posting[0]))
    if not rows:
        return np.zeros(size)
    products = np.repeat(query, lengths) * np.concatenate(weights)
    dots: npt.NDArray[np.float64] = np.bincount(np.concatenate(rows), weights=products, minlength=size)  # type: ignore[assignment]
    return dots


class NearestExample:
    """TF-IDF cosine (words and character bigrams) to the nearest example of each intent."""

    name = "nearest"

    def __init__(
        self,
        intents: IntentIndex,
        examples: Sequence[Example],
        feats: Sequence[Sequence[str]],
        idf: Mapping[str, float],
    ):
        self.intents = intents
        # rows grouped by intent, so that one reduceat takes each intent's best example
        self.order = sorted(range(len(examples)), key=lambda i: intents.position[examples[i].intent])
        self.row_of = {example: row for row, example in enumerate(self.order)}
        self.postings = _postings((row, tfidf_vector(feats[i], idf)) for row, i in enumerate(self.order))
        positions = [intents.position[examples[i].intent] for i in self.order]
        self.starts = np.array(
            [r for r in range(len(positions)) if r == 0 or positions[r] != positions[r - 1]], dtype=np.intp
        )
        self.owners = np.array([positions[r] for r in self.starts], dtype=np.intp)

    def scores(self, query: Query) -> Scores:
        out = self.intents.zeros()
        if not len(self.order):
            return out
        dots = _dots(self.postings, query.vector, len(self.order))
        if query.exclude is not None:
            dots[self.row_of[query.exclude]] = 0.0
        out[self.owners] = np.maximum.reduceat(dots, self.starts)
        return out


class Centroid:
    """TF-IDF cosine to the centre of all the examples and keywords of each intent."""

    name = "centroid"

    def __init__(self, intents: IntentIndex, groups: Mapping[str, list[Sequence[str]]], idf: Mapping[str, float]):
        self.intents = intents
        centres: list[tuple[int, dict[str, float]]] = []
        for intent, members in groups.items():
            centre: dict[str, float] = defaultdict(float)
            for feats in members:
                for feat, w in tfidf_vector(feats, idf).items():
                    centre[feat] += w
            norm = math.sqrt(sum(v * v for v in centre.values())) or 1.0
            centres.append((intents.position[intent], {feat: w / norm for feat, w in centre.items()}))
        self.postings = _postings(centres)

    def scores(self, query: Query) -> Scores:
        return _dots(self.postings, query.vector, len(self.intents.ids))


class Fuzzy:
    """rapidfuzz similarity of the segmented text to the nearest example of each intent."""

    name = "fuzzy"

    def __init__(
        self, intents: IntentIndex, examples: Sequence[Example], segmented: Sequence[str], scorer: Any = fuzz.ratio
    ):
        self.intents = intents
        self.owners = [intents.position[e.intent] for e in examples]
        self.choices = list(segmented)
        self.scorer = scorer

    def scores(self, query: Query) -> Scores:
        out = self.intents.zeros()
        if not query.segmented:
            return out
        # a long story is matched by its words and keywords; the fuzzy view only needs its start
        start = query.segmented[:FUZZY_CHARS]
        hits = process.extract(start, self.choices, scorer=self.scorer, limit=40, score_cutoff=30)
        best: dict[int, float] = {}
        for _choice, score, i in hits:
            if i == query.exclude:
                continue
            owner = self.owners[i]
            best[owner] = max(best.get(owner, 0.0), score / 100.0)
        if best:
            out[list(best)] = list(best.values())
        return out


LOOSE = 0.5  # a keyword found only with words inside it (intents/gapped.py) is weaker evidence
SOUND_TERM = 3  # terms this long or longer are also found by their sound (叫我 would be 教我)
_CJK_TERM = re.compile(r"[\u3400-\u9fff]+")
# particles are not typos of a keyword's character: 这种活能干吗 asks "can it be done", not 能干嘛
_PARTICLES = frozenset("吗嘛呢吧啊呀哦了的得地么")


class Keywords:
    """Evidence from the keywords and synonyms of each intent; rarer words weigh more."""

    name = "keywords"

    def __init__(
        self,
        intents: IntentIndex,
        evidence: Mapping[str, Sequence[str]],
        sound: Callable[[str], str] | None = None,
        gapped: Gapped | None = None,
    ):
        self.intents = intents
        self.gapped = gapped  # 借我的银行卡 holds 借银行卡 (intents/gapped.py)
        self.owners: dict[str, set[str]] = defaultdict(set)
        for intent, terms in evidence.items():
            for term in terms:
                self.owners[term].add(intent)
        n = max(len(evidence), 2)
        self.weight = {t: math.log(n / len(i)) / math.log(n) for t, i in self.owners.items()}
        # a term can only be in a text that has its first character: look up only those terms
        self.cjk_terms: dict[str, list[str]] = defaultdict(list)
        for term in self.owners:
            if not term.isascii():
                self.cjk_terms[term[0]].append(term)
        # an ASCII term (ETC, AI, 96110) is a word of its own: not inside a longer Latin word or number,
        # but touching Chinese characters is fine ("etc短信")
        ascii_terms = sorted((t for t in self.owners if t.isascii()), key=len, reverse=True)
        alternation = "|".join(map(re.escape, ascii_terms)) or "(?!)"
        self.ascii_re = re.compile(rf"(?<![a-z0-9])(?:{alternation})(?![a-z0-9])")
        # a term written with a same-sounding wrong character (医报卡: a pinyin keyboard's or a speech
        # recogniser's twin), looked up by its first character
        self.sound = sound
        self.by_sound: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
        if sound is not None:
            for term in self.owners:
                if len(term) >= SOUND_TERM and _CJK_TERM.fullmatch(term):
                    sounds = tuple(map(sound, term))
                    self.by_sound[term[0]].append((term, sounds))

    def found(self, text: str) -> set[str]:
        """The terms present in a normalised text (or, in Chinese, present as they sound)."""
        hits = {t for ch in set(text) for t in self.cjk_terms.get(ch, ()) if t in text}
        hits.update(self.ascii_re.findall(text))
        sound = self.sound
        if sound is not None and self.by_sound:
            # a term found as written is not found again by its sound (居住证 and its listed typo 局住证)
            heard = {tuple(map(sound, t)) for t in hits if _CJK_TERM.fullmatch(t)}
            hits.update(t for t in self.sounded(text) if tuple(map(sound, t)) not in heard)
        return hits

    def sounded(self, text: str) -> set[str]:
        """Terms written with a same-sounding character after their first (医报卡 for 医保卡): the first
        character as written, every syllable alike. A first character by sound alone reads words
        across a boundary (the 前户口 of 十几年前户口 would be 迁户口)."""
        assert self.sound is not None
        hits: set[str] = set()
        for i, ch in enumerate(text):
            for term, term_sounds in self.by_sound.get(ch, ()):
                end = i + len(term)
                written = text[i + 1 : end]
                if (
                    len(written) == len(term) - 1
                    and tuple(map(self.sound, written)) == term_sounds[1:]
                    and not any(a != b and a in _PARTICLES for a, b in zip(written, term[1:], strict=True))
                ):
                    hits.add(term)
        return hits

    def scores(self, query: Query) -> Scores:
        found: dict[str, list[str]] = defaultdict(list)
        hits = self.found(query.text)
        loose = self.gapped.found(query.text) - hits if self.gapped is not None else set()
        for term in hits | loose:
            for intent in self.owners[term]:
                found[intent].append(term)
        out = self.intents.zeros()
        for intent, terms in found.items():
            # a term inside a longer matched term of the same intent is not new evidence
            kept = [t for t in terms if not any(t != o and t in o for o in terms)]
            total = sum(self.weight[t] * (1.0 + 0.1 * len(t)) * (LOOSE if t in loose else 1.0) for t in kept)
            out[self.intents.position[intent]] = 1.0 - math.exp(-total)
        return out
