"""Which language to answer in: the question's own language when it is clear, else the user's."""

from __future__ import annotations

import re
from functools import lru_cache

from intents import pinyin

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# `hukou_newborn`, `service.id_card_lost`, `example.com`: names, not words of any language.
# Linear in the text: a name starts where a word starts (the look-behind) and its parts are taken
# possessively (`*+`, `++`). Without both, every letter of a long word without a dot started a
# match that ran to the word's end and back: a 4,096-letter word took 330 ms, 16,384 letters 5.3 s.
_IDENTIFIER = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]*+(?:[._/][A-Za-z0-9]++)+")


@lru_cache(maxsize=64)  # a turn asks twice of the same words (for the hint, then for the citizen)
def detect(text: str) -> str | None:
    """`zh` for Chinese text, `en` for text of English words, None when it cannot tell."""
    if _CJK.search(text):
        return "zh"
    text = _IDENTIFIER.sub(" ", text)
    if len(_LATIN_WORD.findall(text)) >= 2 and not _looks_like_pinyin(text):
        return "en"
    return None


def _looks_like_pinyin(text: str) -> bool:
    """Romanised Chinese ("zha pian zen me ban") is Chinese, whatever its letters."""
    return pinyin.looks_romanised(text)


def choose(text: str, preferred: str | None, default: str = "zh") -> str:
    return detect(text) or preferred or default
