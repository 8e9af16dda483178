"""The small pattern language of faq/scam_rules.yaml, compiled: groups of terms, proximity, negation, facts.

A pattern fires when every group has a match (a group is an alternation of regular expressions),
the matches lie within `within` characters of each other when that is set, no `none` term is
present, every fact of `requires` is known and no fact of `forbids` is. With `negation`, a match
right after a negation word (请勿, 不会, do not) does not count: "请勿告诉他人" is not a request.
"""

from __future__ import annotations

import re
from collections.abc import Set
from dataclasses import dataclass

_CLAUSE_MARKS = ",。!?;；:\n"  # after NFKC: the full-width marks of Chinese text are ASCII ones
_MAX_HITS = 40  # matches looked at per group: enough for any real message, bounded for junk


@dataclass(frozen=True)
class Reason:
    """Why the checker decided as it did: a stable code and one plain sentence per language."""

    code: str
    zh: str
    en: str

    def get(self, lang: str) -> str:
        """The sentence in `lang` (zh unless en)."""
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Negation:
    """Words that cancel a match when they come just before it."""

    pattern: re.Pattern[str]
    window: int

    def cancels(self, text: str, start: int) -> bool:
        """A negation word in the same clause just before `start`."""
        begin = max(0, start - self.window)
        clause = max(text.rfind(mark, begin, start) for mark in _CLAUSE_MARKS) + 1
        return self.pattern.search(text, max(begin, clause), start) is not None


@dataclass(frozen=True)
class Pattern:
    """Groups of terms that must all match, with the conditions around them."""

    groups: tuple[re.Pattern[str], ...]
    within: int | None = None
    none: re.Pattern[str] | None = None
    requires: frozenset[str] = frozenset()
    forbids: frozenset[str] = frozenset()
    negation: Negation | None = None

    def fires(self, text: str, known: Set[str]) -> bool:
        """Whether the pattern holds for prepared `text` given the facts and codes already `known`."""
        if not self.requires <= known or self.forbids & known:
            return False
        if self.none is not None and self.none.search(text):
            return False
        # one quick search per group first: most patterns fail here, before any match is collected
        if any(group.search(text) is None for group in self.groups):
            return False
        hits = sorted((self._starts(group, text) for group in self.groups), key=len)
        if not hits or not hits[0]:
            return not hits
        if self.within is None:
            return True
        rarest, others = hits[0], hits[1:]
        return any(all(any(abs(s - anchor) <= self.within for s in other) for other in others) for anchor in rarest)

    def _starts(self, group: re.Pattern[str], text: str) -> list[int]:
        """Where the group matches, negated matches left out."""
        starts: list[int] = []
        for match in group.finditer(text):
            if self.negation is None or not self.negation.cancels(text, match.start()):
                starts.append(match.start())
                if self.within is None or len(starts) >= _MAX_HITS:
                    break
        return starts


@dataclass(frozen=True)
class Rule:
    """A red flag, a sign of a legitimate message or a fraud type: `code` fires with `weight`."""

    code: str
    weight: float
    pattern: Pattern
    line: int = 0
