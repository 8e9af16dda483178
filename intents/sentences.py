"""The sentence that asks, in a long message: a story first, the question at the end.

A message is cut into sentences at its punctuation (and, in Chinese, at the spaces villagers type
for commas); a speech transcript has no punctuation at all, so there a question starts at words
such as 请问 or 是不是. The last sentence holding an asking word (吗, 怎么办, 是不是) is the question.
The words are data (faq/dialect.yaml `asking`, `starts`); the matcher scores what this returns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

LONG = 40  # characters: a shorter message in fewer than three pieces is one sentence
UNBROKEN = 24  # a piece longer than this without punctuation is cut before its question starts
_CJK = re.compile(r"[\u3400-\u9fff]")
_STOPS = re.compile(r"[。！？!?；;…\n]+|[.](?:\s|$)")
_CHINESE_COMMAS = re.compile(r"[，,、：:\s]+")


@lru_cache(maxsize=8)
def _starts_re(starts: tuple[str, ...]) -> re.Pattern[str] | None:
    ordered = sorted(starts, key=len, reverse=True)
    return re.compile("(?<=.)(?=" + "|".join(map(re.escape, ordered)) + ")") if ordered else None


def pieces(text: str, starts: Sequence[str]) -> list[str]:
    """The sentences of a message (in Chinese, its clauses too), cut before question starts in long runs."""
    chinese = bool(_CJK.search(text))
    pattern = _starts_re(tuple(starts)) if chinese else None
    out: list[str] = []
    for sentence in _STOPS.split(text):
        for piece in _CHINESE_COMMAS.split(sentence) if chinese else [sentence]:
            piece = piece.strip()
            if not piece:
                continue
            if pattern is not None and len(piece) > UNBROKEN:
                out += _merge_short([p for p in pattern.split(piece) if p])
            else:
                out.append(piece)
    return out


def _merge_short(cut: list[str], shortest: int = 4) -> list[str]:
    """Cuts of fewer than `shortest` characters join the next one (我想问一下 is cut at 想问 and 问一下)."""
    out: list[str] = []
    carry = ""
    for piece in cut:
        carry += piece
        if len(carry) >= shortest:
            out.append(carry)
            carry = ""
    if carry:
        if out:
            out[-1] += carry
        else:
            out.append(carry)
    return out


def asking_parts(
    text: str, understand: Callable[[str], str], asking: Sequence[str], starts: Sequence[str]
) -> list[str]:
    """The asking sentence of a long message, alone and with the one or two before it, then the
    message without its first sentence, understood, shortest first ([] for a short message, or one
    with no asking sentence after its first)."""
    if len(text) < LONG and len(_CHINESE_COMMAS.split(text.strip())) < 3:
        return []
    read = [understand(p) for p in pieces(text, starts)]
    read = [r for r in read if r]
    last = next((i for i in range(len(read) - 1, 0, -1) if any(m in read[i] for m in asking)), None)
    if last is None:
        return []
    parts = [read[last], " ".join(read[last - 1 : last + 1])]
    if last >= 2:
        parts.append(" ".join(read[last - 2 : last + 1]))
    if len(read) > 2:  # the story without its opening: who and when (我家老三今年二十了) sets no topic
        parts.append(" ".join(read[1:]))
    return list(dict.fromkeys(parts))
