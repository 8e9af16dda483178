"""Pinyin: the sound of Chinese text, so homophone typos (炸骗/诈骗) and romanised questions
("wo bei pian le zen me ban") meet the FAQ on what they sound like."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from pypinyin import lazy_pinyin

_INITIALS = ("", *"bpmfdtnlgkhjqxrzcsyw", "zh", "ch", "sh")
_FINALS = (
    "a o e i u v ai ei ao ou an en ang eng ong er ia ie iao iu ian in iang ing iong ua uo uai ui uan un uang ue ve"
).split()
# every initial with every final (a few more than Mandarin has, as the regular expression before):
# a long word tries up to six pieces per letter, and a set lookup costs 0.18 µs a try where the
# regular expression's match cost 1.5 µs
_SYLLABLES = frozenset(i + f for i in _INITIALS for f in _FINALS)
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_LATIN = re.compile(r"[a-z]+")


@cache
def _sound(ch: str) -> str:
    """The toneless pinyin of one character (its most common reading)."""
    return lazy_pinyin(ch)[0]


def sound(ch: str) -> str:
    """The toneless pinyin of one Chinese character (what a pinyin keyboard types for it)."""
    return _sound(ch)


def of_chinese(text: str) -> list[list[str]]:
    """The syllables of each Chinese run of a normalised text."""
    return [[_sound(ch) for ch in run] for run in _CJK_RUN.findall(text)]


@lru_cache(maxsize=4096)  # words come again and again (wo, de, ma): each is split once
def split_word(word: str) -> tuple[str, ...] | None:
    """`zhapian` -> ("zha", "pian"); None when the word is not made of pinyin syllables."""
    out: list[str] = []
    i = 0
    while i < len(word):
        for size in range(min(6, len(word) - i), 0, -1):
            if word[i : i + size] in _SYLLABLES:
                out.append(word[i : i + size])
                i += size
                break
        else:
            return None
    return tuple(out)


def of_romanised(text: str) -> list[list[str]] | None:
    """The syllables of a text typed in pinyin, or None when it is not pinyin (e.g. English)."""
    if _CJK_RUN.search(text):
        return None
    words = _LATIN.findall(text)
    if len(words) < 2:
        return None
    syllables: list[str] = []
    for word in words:  # English shows at its first word that is no pinyin: stop there
        split = split_word(word)
        if split is None:
            return None
        syllables += split
    return [syllables]


def looks_romanised(text: str) -> bool:
    return of_romanised(text.lower()) is not None


def spoken(text: str) -> str:
    """A normalised text as toneless syllables separated by spaces: its Chinese read aloud, or its
    words typed in pinyin split into syllables ("" for text with neither, e.g. English)."""
    runs = of_romanised(text) or of_chinese(text)
    return " ".join(s for run in runs for s in run)
