"""The intent matcher: strategies score intents, one place decides.

Each strategy returns a score in 0..1 per intent for a query. The matcher adds them with
weights into one confidence and decides: above the threshold, the best intent answers;
below it, or when the nearest thing is an out-of-scope question, it falls back with the
top suggestions. It never raises: any string gets a `Match`.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from intents import index_cache, pinyin, quoted, semantic, sentences, tokens
from intents.dialect import Dialect
from intents.evidence import Evidence, Match
from intents.faq import Faq
from intents.faq_model import SemanticCalibration
from intents.gapped import Gapped
from intents.normalise import Normaliser
from intents.strategies import (
    NONE,
    Centroid,
    Example,
    Fuzzy,
    IntentIndex,
    Keywords,
    NearestExample,
    Query,
    Strategy,
    tfidf_vector,
)

log = logging.getLogger(__name__)

RECENT = 8  # answers remembered: a turn's own text, not a cache of popular questions
# the words alone decide at or above this confidence; below it the sentence encoder reads the message
# too (intents/semantic.py). Measured on the field set: 0.85 sends about a third of villagers'
# questions to the encoder and answers as reading every one would (one line of 696 apart); the
# FAQ's own wording never goes.
SURE = 0.85
# nor when the words found next to nothing: the encoder places any short text near something ("12345",
# "哈哈哈", "？？" came out as sure answers), and its calibration never saw such texts. The 27 field and
# dev questions the encoder turned right all had a words' best score of 0.11 or more.
MIN_WORDS = 0.1
NEAR = 5  # the asking sentence may pick among the whole message's first NEAR intents
DEFAULT_WEIGHTS: Mapping[str, float] = {"nearest": 0.35, "centroid": 0.25, "fuzzy": 0.15, "keywords": 0.25}


@dataclass(frozen=True)
class Reading:
    """The FAQ's examples and keywords read one way (as written, or as spoken): their features."""

    features: list[list[str]]
    segmented: list[str]
    evidence: dict[str, list[str]]
    evidence_features: dict[str, list[list[str]]]


def read(texts: Sequence[str], evidence: dict[str, list[str]], fold: Callable[[str], str]) -> Reading:
    return Reading(
        features=[tokens.features(t, fold=fold) for t in texts],
        segmented=[" ".join(tokens.words(t)) for t in texts],
        evidence=evidence,
        evidence_features={k: [tokens.features(t, fold=fold) for t in terms] for k, terms in evidence.items()},
    )


@dataclass(frozen=True)
class Index:
    """The FAQ analysed once: normalised examples, read as written and as spoken (what the cache keeps)."""

    examples: list[Example]
    written: Reading
    spoken: Reading  # in pinyin syllables, for questions typed in pinyin


def analyse(faq: Faq, normalise: Callable[[str], str], fold: Callable[[str], str]) -> Index:
    """Normalise and segment every example, out-of-scope question and keyword of the FAQ."""
    examples = [Example(i.id, normalise(e)) for i in faq.intents.values() for e in i.examples]
    examples += [Example(NONE, normalise(q)) for q in faq.out_of_scope]
    evidence = {i.id: [t for t in map(normalise, i.evidence) if t] for i in faq.intents.values()}
    sounds = {k: [s for s in map(pinyin.spoken, terms) if s] for k, terms in evidence.items()}
    return Index(
        examples=examples,
        written=read([e.text for e in examples], evidence, fold),
        spoken=read([pinyin.spoken(e.text) for e in examples], sounds, fold),
    )


@dataclass(frozen=True)
class View:
    """The strategies over one reading of the FAQ, with its feature weights."""

    idf: dict[str, float]
    nearest: NearestExample
    strategies: tuple[Strategy, ...]

    @staticmethod
    def build(intents: IntentIndex, examples: Sequence[Example], reading: Reading) -> View:
        idf = _idf(reading.features)
        groups: dict[str, list[Sequence[str]]] = defaultdict(list)
        for example, f in zip(examples, reading.features, strict=True):
            groups[example.intent].append(f)
        for intent_id, feats in reading.evidence_features.items():
            groups[intent_id] += feats
        nearest = NearestExample(intents, examples, reading.features, idf)
        centroid = Centroid(intents, groups, idf)
        terms = {t for ts in reading.evidence.values() for t in ts}
        gapped = Gapped(terms, tokens.segment)
        keywords = Keywords(intents, reading.evidence, sound=pinyin.sound, gapped=gapped)  # 医报卡 found as 医保卡
        return View(idf, nearest, (nearest, centroid, Fuzzy(intents, examples, reading.segmented), keywords))


def _idf(feats: Sequence[Sequence[str]]) -> dict[str, float]:
    df: dict[str, int] = defaultdict(int)
    for f in feats:
        for feat in set(f):
            df[feat] += 1
    n = len(feats) + 1
    return {feat: math.log(n / (c + 0.5)) for feat, c in df.items()}


def _content(faq: Faq) -> tuple[object, ...]:
    """What the index is made of: the cache key."""
    intents = [(i.id, i.examples, i.evidence) for i in faq.intents.values()]
    return (intents, faq.out_of_scope, sorted(faq.typos.items()), faq.dialect)


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
        encoder: semantic.Encoder | None = None,
    ) -> None:
        self.faq = faq
        self.threshold = threshold
        self.n_suggestions = suggestions
        self.max_chars = max_chars
        self.weights = dict(weights or DEFAULT_WEIGHTS)
        self.calibration = faq.calibration
        self.normalise = Normaliser(faq.typos)  # shared with the scam checker and the urgency reader
        self.dialect = Dialect(faq.dialect)
        digest = index_cache.key(_content(faq))
        index = index_cache.cached(
            cache_dir, "matcher", digest, lambda: analyse(faq, self.understand, self.dialect.fold)
        )
        self.examples = index.examples
        self.intents = IntentIndex(e.intent for e in self.examples)
        self.written = View.build(self.intents, self.examples, index.written)
        self._spoken_reading = index.spoken
        self._chat = [self.intents.position[i.id] for i in faq.intents.values() if i.kind == "chat"]
        # the sentence encoder over the same examples, read into Mandarin as a question is
        self.encoder = encoder  # the scam checker reads with the same one (bot/services.py)
        self.meaning: semantic.Meaning | None = None
        self.semantic: SemanticCalibration | None = None
        if encoder is not None:
            labels = [e.intent for e in self.examples]
            self.meaning = semantic.Meaning(encoder, self.intents, labels, [e.text for e in self.examples])
            if faq.semantic is not None and faq.semantic.encoder == encoder.name:
                self.semantic = faq.semantic
            else:
                log.info("the FAQ is not calibrated for the sentence encoder %s: `cunjing faq calibrate`", encoder.name)
        # the last few answers: a turn asks about its text before it holds the database, then again
        # inside (bot/core/conversation.py); Match is frozen, so an answer can be given twice
        self._recent = lru_cache(maxsize=RECENT)(self._match)

    @cached_property
    def spoken(self) -> View:
        """The view for questions typed in pinyin, built on the first one (start-up stays short)."""
        return View.build(self.intents, self.examples, self._spoken_reading)

    def view(self, spoken: bool) -> View:
        return self.spoken if spoken else self.written

    def understand(self, text: str) -> str:
        """A text normalised and read back from dialect into Mandarin: what the matcher compares."""
        return self.dialect(self.normalise(text))

    def query(self, text: str, exclude: int | None = None) -> Query:
        return self.query_of(self.understand(text[: self.max_chars]), exclude)

    def query_of(self, norm: str, exclude: int | None = None) -> Query:
        """The query of an already understood text."""
        typed_pinyin = pinyin.of_romanised(norm)
        if typed_pinyin:  # "yanzhengma keyi gei bieren ma": read against the FAQ as spoken
            norm = " ".join(typed_pinyin[0])
        view = self.view(bool(typed_pinyin))
        words = tokens.words(norm)
        features = tuple(tokens.features(norm, words, fold=self.dialect.fold))
        vector = tfidf_vector(features, view.idf)
        return Query(norm, features, " ".join(words), exclude, vector, spoken=bool(typed_pinyin))

    def evidence(self, query: Query) -> Evidence:
        """Every strategy's scores, weighted and added up."""
        view = self.view(query.spoken)
        total = self.intents.zeros()
        none = 0.0
        for strategy in view.strategies:
            weight = self.weights.get(strategy.name, 0.0)
            if not weight:
                continue
            scores = strategy.scores(query)
            if strategy is view.nearest:
                none = float(scores[self.intents.position[NONE]])
            total += weight * np.minimum(scores, 1.0)
        total[self.intents.position[NONE]] = 0.0
        found = np.flatnonzero(total > 0.0)
        best_first = found[np.argsort(-total[found], kind="stable")].tolist()  # ties: by id
        ids, values = self.intents.ids, total.tolist()
        return Evidence(tuple((ids[i], values[i]) for i in best_first), none)

    def read(self, text: str, exclude: int | None = None, meaning: bool = True) -> Evidence:
        """The evidence of the words (`read_words`), and of the meaning when the words are unsure
        but found something (`meaning=False`: the words alone)."""
        words = self.read_words(text, exclude)
        if not meaning or self.semantic is None or self.meaning is None or self.confidence(words) >= SURE:
            return words
        if not words.ranked or words.ranked[0][1] < MIN_WORDS:
            return words
        if pinyin.of_romanised(text[:200]):  # typed in pinyin: the encoder reads characters
            return words
        near = self.meaning.nearness([self.understand(text[: self.max_chars])], [exclude])[0]
        if len(text) >= sentences.LONG:  # as in read_words: a story is not a greeting
            near[self._chat] = -1.0
        return self.with_meaning(words, near)

    def with_meaning(self, words: Evidence, near: np.ndarray) -> Evidence:
        """The words' evidence with the encoder's: its nearness added to the ranking, its signals kept."""
        assert self.meaning is not None
        total = self.intents.zeros()
        for intent, score in words.ranked:
            total[self.intents.position[intent]] = score
        total += self.meaning.boost(near)
        found = np.flatnonzero(total > 0.0)
        best_first = found[np.argsort(-total[found], kind="stable")].tolist()
        if not best_first:
            return words
        ids, values = self.intents.ids, total.tolist()
        ranked = tuple((ids[i], values[i]) for i in best_first)
        return Evidence(ranked, words.none, self.meaning.signals(near, best_first[0]))

    def read_words(self, text: str, exclude: int | None = None) -> Evidence:
        """The evidence for a message: of the whole, or of the sentence that asks when that is surer.

        A long story often asks its question only at the end ("…你们说这是不是骗子"), and its early
        sentences pull towards other intents; the asking sentence alone, or with the one before it,
        is scored too, and the reading the confidence trusts most is kept. A quoted message asked about
        ("他发来：【…】… 是真的吗") is also read as its quote (intents/quoted.py), under the same rule.
        """
        whole = self.query(text, exclude)
        best = self.evidence(whole)
        if whole.spoken:
            return best
        story = len(text) >= sentences.LONG
        if story:  # a greeting or thanks inside a story (…人还在不在里面…) is not what it asks
            best = self._without_chat(best)
        sure = self.confidence(best)
        near = {intent for intent, _ in best.ranked[:NEAR]}
        tables = self.dialect.tables
        parts = sentences.asking_parts(text[: self.max_chars], self.understand, tables.asking, tables.starts)
        received = quoted.split(text[: self.max_chars], tables.quoted, tables.checks)
        if received is not None:  # a quoted message: its reading and the villager's question first
            parts = [*parts, *reversed(quoted.readings(received, self.understand))]
        for part in reversed(parts):  # the most context first: 要她转钱解冻 alone reads as a loan
            ev = self.evidence(self.query_of(part, exclude))
            if story:
                ev = self._without_chat(ev)
            # a sentence alone can look sure of something the whole message never pointed at:
            # it may only choose among the intents the whole already ranks near the top
            if ev.ranked and ev.ranked[0][0] in near and self.confidence(ev) > sure:
                return ev
        return best

    def _without_chat(self, ev: Evidence) -> Evidence:
        """The evidence without the chat intents (greeting, thanks, help): they answer short messages."""
        return Evidence(tuple(r for r in ev.ranked if self.faq.intents[r[0]].kind != "chat"), ev.none)

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
        if ev.meaning is not None and self.semantic is not None:
            signals = (best, margin, none, *ev.meaning)
            return sigmoid(self.semantic.bias + sum(w * x for w, x in zip(self.semantic.weights, signals, strict=True)))
        if self.calibration is None:
            return best
        bias, w_best, w_margin, w_none = self.calibration
        return sigmoid(bias + w_best * best + w_margin * margin + w_none * none)

    def match(self, text: str, exclude: int | None = None, meaning: bool = True) -> Match:
        """The intent that answers `text`, or a fallback with suggestions. Never raises.
        `meaning=False`: by the words alone (a step that expects a name or a number asks so)."""
        if isinstance(text, str):
            return self._recent(text, exclude, meaning)
        return self._match(text, exclude, meaning)

    def _match(self, text: str, exclude: int | None, meaning: bool = True) -> Match:
        try:
            if not isinstance(text, str):
                text = str(text)
            return self.decide(self.read(text, exclude, meaning))
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
