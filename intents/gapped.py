"""Keywords a speaker breaks with a word inside: 身份证明年就到期 holds 身份证到期, 借我的银行卡 holds 借银行卡.

Spoken Chinese (and a speech transcript of it) puts a few characters inside a set phrase: an
object, a time, a 的. A keyword of two words, each of two or more characters, is also found when
its second word follows its first within `GAP` characters of the same clause (no space or
punctuation between them); a first word of one character (借, 交) only before a second of three
or more (借…银行卡), so that short verbs do not reach across a clause. The matcher's keyword
strategy adds these to the terms it found, at half their weight.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable

GAP = 3  # characters allowed between a keyword's two words
_CJK_TERM = re.compile(r"[\u3400-\u9fff]{4,}")
_BREAK = re.compile(r"[^\u3400-\u9fff]")  # a space or punctuation ends a clause


class Gapped:
    """The two-word keywords, looked up by the first character of their first word."""

    def __init__(self, terms: Iterable[str], split: Callable[[str], list[str]]) -> None:
        self.by_first: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for term in terms:
            if not _CJK_TERM.fullmatch(term):
                continue
            parts = split(term)
            if len(parts) == 2 and "".join(parts) == term and (min(map(len, parts)) >= 2 or len(parts[1]) >= 3):
                self.by_first[parts[0][0]].append((term, parts[0], parts[1]))

    def found(self, text: str) -> set[str]:
        """The keywords present in `text` with up to GAP characters between their two words."""
        hits: set[str] = set()
        for ch in set(text):
            for term, head, tail in self.by_first.get(ch, ()):
                start = text.find(head)
                while start >= 0:
                    after = start + len(head)
                    window = text[after : after + GAP + len(tail)]
                    gap = window.find(tail)
                    if gap > 0 and not _BREAK.search(window[:gap]):
                        hits.add(term)
                        break
                    start = text.find(head, start + 1)
        return hits
