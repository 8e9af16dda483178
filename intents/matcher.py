"""The intent matcher: strategies score intents, one place decides.

Each strategy returns a score in 0..1 per intent for a query. The matcher adds them with
weights into one confidence and decides: above the threshold, the best intent answers;
below it, or when the nearest thing is an out-of-scope question, it falls back with the
top suggestions. It never raises: any string gets a `Match`.
"""

from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from intents import index_cache, tokens
from intents.faq import Faq
from intents.normalise import Normaliser

log = logging.getLogger(__name__)

NONE = "_none"  # the pseudo-intent of out-of-scope questions
FUZZY_CHARS = 120
FEATURE_WEIGHT = {"w": 1.0, "b": 0.6, "p": 0.4}  # words say most; bigrams and sounds catch typos


@dataclass(frozen=True)
class Match:
    intent: str | None
    score: float
    suggestions: tuple[str, ...]
    candidates: tuple[tuple[str, float], ...] = ()

    @property
    def fallback(self) -> bool:
        return self.intent is None


@dataclass(frozen=True)
class Query:
    text: str  # normalised
    features: tuple[str, ...]
    segmented: str  # words joined by spaces, for the fuzzy scorer
    exclude: int | None = None  # an example to leave out (validation's leave-one-out)
    vector: Mapping[str, float] = field(default_factory=dict)  # TF-IDF of `features`, shared by two strategies


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


def _vector(feats: Iterable[str], idf: Mapping[str, float]) -> dict[str, float]:
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
        self.postings = _postings((row, _vector(feats[i], idf)) for row, i in enumerate(self.order))
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
                for feat, w in _vector(feats, idf).items():
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


class Keywords:
    """Evidence from the keywords and synonyms of each intent; rarer words weigh more."""

    name = "keywords"

    def __init__(self, intents: IntentIndex, evidence: Mapping[str, Sequence[str]]):
        self.intents = intents
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

    def found(self, text: str) -> set[str]:
        """The terms present in a normalised text."""
        hits = {t for ch in set(text) for t in self.cjk_terms.get(ch, ()) if t in text}
        hits.update(self.ascii_re.findall(text))
        return hits

    def scores(self, query: Query) -> Scores:
        found: dict[str, list[str]] = defaultdict(list)
        for term in self.found(query.text):
            for intent in self.owners[term]:
                found[intent].append(term)
        out = self.intents.zeros()
        for intent, terms in found.items():
            # a term inside a longer matched term of the same intent is not new evidence
            kept = [t for t in terms if not any(t != o and t in o for o in terms)]
            total = sum(self.weight[t] * (1.0 + 0.1 * len(t)) for t in kept)
            out[self.intents.position[intent]] = 1.0 - math.exp(-total)
        return out


DEFAULT_WEIGHTS: Mapping[str, float] = {"nearest": 0.35, "centroid": 0.25, "fuzzy": 0.15, "keywords": 0.25}


@dataclass(frozen=True)
class Evidence:
    """What the strategies found for one query: the intents ranked, and how out-of-scope it looks."""

    ranked: tuple[tuple[str, float], ...]  # real intents, best first
    none: float  # the nearest out-of-scope question's similarity

    def signals(self) -> tuple[float, float, float]:
        """The inputs of the confidence: best score, its margin over the second, out-of-scope."""
        best = self.ranked[0][1] if self.ranked else 0.0
        second = self.ranked[1][1] if len(self.ranked) > 1 else 0.0
        return best, best - second, self.none


@dataclass(frozen=True)
class Index:
    """The FAQ analysed once: normalised examples and their features (what the cache keeps)."""

    examples: list[Example]
    features: list[list[str]]
    segmented: list[str]
    evidence: dict[str, list[str]]
    evidence_features: dict[str, list[list[str]]]


def analyse(faq: Faq, normalise: Normaliser) -> Index:
    """Normalise and segment every example, out-of-scope question and keyword of the FAQ."""
    examples = [Example(i.id, normalise(e)) for i in faq.intents.values() for e in i.examples]
    examples += [Example(NONE, normalise(q)) for q in faq.out_of_scope]
    evidence = {i.id: [t for t in map(normalise, i.evidence) if t] for i in faq.intents.values()}
    return Index(
        examples=examples,
        features=[tokens.features(e.text) for e in examples],
        segmented=[" ".join(tokens.words(e.text)) for e in examples],
        evidence=evidence,
        evidence_features={k: [tokens.features(t) for t in terms] for k, terms in evidence.items()},
    )


def _content(faq: Faq) -> tuple[object, ...]:
    """What the index is made of: the cache key."""
    intents = [(i.id, i.examples, i.evidence) for i in faq.intents.values()]
    return (intents, faq.out_of_scope, sorted(faq.typos.items()))


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


class Matcher:
    """Scores a question against every intent of the FAQ and decides what answers it."""

    def __init__(
        self,
        faq: Faq,
        threshold: float = 0.5,
        suggestions: int = 3,
        max_chars: int = 2000,
        weights: Mapping[str, float] | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.faq = faq
        self.threshold = threshold
        self.n_suggestions = suggestions
        self.max_chars = max_chars
        self.weights = dict(weights or DEFAULT_WEIGHTS)
        self.calibration = faq.calibration
        self.normalise = Normaliser(faq.typos)
        digest = index_cache.key(_content(faq))
        index = index_cache.cached(cache_dir, "matcher", digest, lambda: analyse(faq, self.normalise))
        self.examples = index.examples
        idf = self.idf = self._idf(index.features)
        groups: dict[str, list[Sequence[str]]] = defaultdict(list)
        for example, f in zip(self.examples, index.features, strict=True):
            groups[example.intent].append(f)
        for intent_id, feats in index.evidence_features.items():
            groups[intent_id] += feats
        self.intents = IntentIndex(e.intent for e in self.examples)
        self.nearest = NearestExample(self.intents, self.examples, index.features, idf)
        self.strategies: list[Strategy] = [
            self.nearest,
            Centroid(self.intents, groups, idf),
            Fuzzy(self.intents, self.examples, index.segmented),
            Keywords(self.intents, index.evidence),
        ]

    @staticmethod
    def _idf(feats: Sequence[Sequence[str]]) -> dict[str, float]:
        df: dict[str, int] = defaultdict(int)
        for f in feats:
            for feat in set(f):
                df[feat] += 1
        n = len(feats) + 1
        return {feat: math.log(n / (c + 0.5)) for feat, c in df.items()}

    def query(self, text: str, exclude: int | None = None) -> Query:
        norm = self.normalise(text[: self.max_chars])
        words = tokens.words(norm)
        features = tuple(tokens.features(norm, words))
        return Query(norm, features, " ".join(words), exclude, _vector(features, self.idf))

    def evidence(self, query: Query) -> Evidence:
        """Every strategy's scores, weighted and added up."""
        total = self.intents.zeros()
        none = 0.0
        for strategy in self.strategies:
            weight = self.weights.get(strategy.name, 0.0)
            if not weight:
                continue
            scores = strategy.scores(query)
            if strategy is self.nearest:
                none = float(scores[self.intents.position[NONE]])
            total += weight * np.minimum(scores, 1.0)
        total[self.intents.position[NONE]] = 0.0
        found = np.flatnonzero(total > 0.0)
        best_first = found[np.argsort(-total[found], kind="stable")].tolist()  # ties: by id
        ids, values = self.intents.ids, total.tolist()
        return Evidence(tuple((ids[i], values[i]) for i in best_first), none)

    def rank(self, query: Query) -> list[tuple[str, float]]:
        """Real intents by score, best first; the out-of-scope pseudo-intent first when it wins."""
        ev = self.evidence(query)
        ranked = list(ev.ranked)
        if self.confidence(ev) < self.threshold and (not ranked or ev.none > ranked[0][1]):
            ranked.insert(0, (NONE, ev.none))
        return ranked

    def confidence(self, ev: Evidence) -> float:
        """How likely the best intent is the right answer, in 0..1 (calibrated on the FAQ itself)."""
        best, margin, none = ev.signals()
        if self.calibration is None:
            return best
        bias, w_best, w_margin, w_none = self.calibration
        return sigmoid(bias + w_best * best + w_margin * margin + w_none * none)

    def match(self, text: str, exclude: int | None = None) -> Match:
        """The intent that answers `text`, or a fallback with suggestions. Never raises."""
        try:
            if not isinstance(text, str):
                text = str(text)
            return self.decide(self.evidence(self.query(text, exclude)))
        except Exception:  # the matcher must answer anything; a bug here is logged, not raised
            log.exception("matcher failed on a query of %d characters", len(text))
            return Match(None, 0.0, ())

    def decide(self, ev: Evidence) -> Match:
        """The one place where threshold, suggestions and fallback are decided."""
        if not ev.ranked:
            return Match(None, 0.0, (), ())
        confidence = round(self.confidence(ev), 4)
        suggestions = tuple(i for i, _ in ev.ranked[: self.n_suggestions])
        candidates = tuple((i, round(s, 4)) for i, s in ev.ranked[:5])
        best = ev.ranked[0][0] if confidence >= self.threshold else None
        return Match(best, confidence, suggestions, candidates)
