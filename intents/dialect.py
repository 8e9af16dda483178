"""Putian and Minnan ways of writing Mandarin, read back into Mandarin before matching (faq/dialect.yaml).

Villagers write 阮乎人骗去了 for 我被人骗了, 森份证 for 身份证 (no sh in their Mandarin), read a
phone number out as 九六一一零, and ask for their mother ("我妈问…"). `Dialect` undoes each of these
with the tables of faq/dialect.yaml, in one linear pass per table:

- `phrases`: several characters, replaced wherever they appear (chosen so that no Mandarin word holds them);
- `words`: one character, replaced only where jieba reads it as a word of its own, so that the 食 of
  食品 and the 伊 of 伊拉克 stay;
- `digits`: a run of at least three digit characters (九六一一零, 幺三八) becomes the number;
- `framing`: who asks for whom ("帮我爸问一下", "my mother asks") is taken off the start;
- `asking`, `starts`: how the sentence that asks is found in a long message (intents/sentences.py);
- `quoted`, `checks`: how a quoted message and the villager's question about it are told apart
  (intents/quoted.py);
- `accent`: syllable parts a Fujian accent does not tell apart (sh/s, ing/in, f/h), folded in the
  matcher's sound features so that 森份证 and 身份证 sound alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from intents import tokens

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_SYLLABLE = re.compile(r"^(zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw]?)(.*)$")
MIN_DIGITS = 3


@dataclass(frozen=True)
class DialectTables:
    """The tables of faq/dialect.yaml, checked (see `parse`)."""

    phrases: Mapping[str, str] = field(default_factory=dict)
    words: Mapping[str, str] = field(default_factory=dict)
    digits: Mapping[str, str] = field(default_factory=dict)
    relatives: tuple[str, ...] = ()
    framing: tuple[str, ...] = ()
    initials: Mapping[str, str] = field(default_factory=dict)
    finals: Mapping[str, str] = field(default_factory=dict)
    asking: tuple[str, ...] = ()  # words that mark the sentence that asks (吗, 怎么办, 是不是)
    starts: tuple[str, ...] = ()  # words that start a question inside an unpunctuated run (请问, 我想问)
    quoted: tuple[str, ...] = ()  # words that introduce a received message (发给我, 短信说: intents/quoted.py)
    checks: tuple[str, ...] = ()  # words that ask whether a quoted message is real (是真的, 能点)


def parse(raw: Any) -> tuple[DialectTables | None, list[str]]:
    """The tables of a `dialect:` mapping (without line marks), or the problems that stop them loading."""
    if not isinstance(raw, dict):
        return None, ["dialect: expected a mapping of tables"]
    problems: list[str] = []

    def mapping(key: str) -> dict[str, str]:
        value = raw.get(key) or {}
        if not isinstance(value, dict):
            problems.append(f"dialect.{key}: expected a mapping")
            return {}
        return {str(k): str(v) for k, v in value.items() if not str(k).startswith("__line")}

    def strings(key: str) -> tuple[str, ...]:
        value = raw.get(key) or []
        if not isinstance(value, list):
            problems.append(f"dialect.{key}: expected a list")
            return ()
        return tuple(str(v) for v in value)

    accent = raw.get("accent") or {}
    tables = DialectTables(
        phrases=mapping("phrases"),
        words=mapping("words"),
        digits=mapping("digits"),
        relatives=strings("relatives"),
        framing=strings("framing"),
        initials={str(k): str(v) for k, v in (accent.get("initials") or {}).items() if not str(k).startswith("__")},
        finals={str(k): str(v) for k, v in (accent.get("finals") or {}).items() if not str(k).startswith("__")},
        asking=strings("asking"),
        starts=strings("starts"),
        quoted=strings("quoted"),
        checks=strings("checks"),
    )
    for word in tables.words:
        if len(word) != 1:
            problems.append(f"dialect.words: {word!r} is not one character (put it in phrases)")
    for digit in tables.digits:
        if len(digit) != 1:
            problems.append(f"dialect.digits: {digit!r} is not one character")
    for pattern in tables.framing:
        try:
            re.compile(pattern.replace("{relative}", "x"))
        except re.error as exc:
            problems.append(f"dialect.framing: {pattern!r}: {exc}")
    return (None if problems else tables), problems


def _alternation(words: Sequence[str]) -> re.Pattern[str] | None:
    ordered = sorted(words, key=len, reverse=True)  # longest first: 厝边头尾 before 厝边
    return re.compile("|".join(map(re.escape, ordered))) if ordered else None


class Dialect:
    """Reads a normalised text written in Putian/Minnan-flavoured Mandarin back into Mandarin."""

    def __init__(self, tables: DialectTables | None = None) -> None:
        self.tables = tables or DialectTables()
        t = self.tables
        self._phrases = _alternation(list(t.phrases))
        self._word_chars = frozenset(t.words)
        digits = "".join(map(re.escape, t.digits))
        self._digits = re.compile(f"[{digits}]{{{MIN_DIGITS},}}") if digits else None
        relatives = "|".join(sorted(map(re.escape, t.relatives), key=len, reverse=True)) or "(?!)"
        self._framing = [re.compile(p.replace("{relative}", f"(?:{relatives})")) for p in t.framing]
        self._folded: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        return self.apply(text)

    def apply(self, text: str) -> str:
        """The Mandarin of a normalised text; plain Mandarin comes back unchanged."""
        if self._phrases is not None:
            text = self._phrases.sub(lambda m: self.tables.phrases[m.group(0)], text)
        if self._word_chars and not self._word_chars.isdisjoint(text):
            text = _CJK_RUN.sub(self._words, text)
        if self._digits is not None:
            text = self._digits.sub(lambda m: "".join(self.tables.digits[c] for c in m.group(0)), text)
        return self.unframe(text)

    def _words(self, run: re.Match[str]) -> str:
        chunk = run.group(0)
        if self._word_chars.isdisjoint(chunk):
            return chunk
        return "".join(self.tables.words.get(w, w) for w in tokens.segment(chunk))

    def unframe(self, text: str) -> str:
        """The question without "my mother asks" before it (only when a question is left)."""
        for pattern in self._framing:
            m = pattern.match(text)
            if m and len(text) - m.end() >= 4:
                return text[m.end() :].strip()
        return text

    def fold(self, syllable: str) -> str:
        """A syllable as a Fujian accent says it: shen -> sen, ming -> min, fu -> hu."""
        folded = self._folded.get(syllable)
        if folded is None:
            m = _SYLLABLE.match(syllable)
            initial, final = (m.group(1), m.group(2)) if m else ("", syllable)
            folded = self.tables.initials.get(initial, initial) + self.tables.finals.get(final, final)
            self._folded[syllable] = folded
        return folded
