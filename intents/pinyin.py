"""Pinyin: the sound of Chinese text, so homophone typos (炸骗/诈骗) and romanised questions
("wo bei pian le zen me ban") meet the FAQ on what they sound like."""

from __future__ import annotations

import re
from functools import cache

from pypinyin import lazy_pinyin

_SYLLABLE = re.compile(
    r"^(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?(?:a|o|e|i|u|v|ai|ei|ao|ou|an|en|ang|eng|ong|er|ia|ie|iao|iu|ian|in|"
    r"iang|ing|iong|ua|uo|uai|ui|uan|un|uang|ue|ve)$"
)
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_LATIN = re.compile(r"[a-z]+")


@cache
def _sound(ch: str) -> str:
    """The toneless pinyin of one character (its most common reading)."""
    return lazy_pinyin(ch)[0]


def of_chinese(text: str) -> list[list[str]]:
    """The syllables of each Chinese run of a normalised text."""
    return [[_sound(ch) for ch in run] for run in _CJK_RUN.findall(text)]


def split_word(word: str) -> list[str] | None:
    """`zhapian` -> ["zha", "pian"]; None when the word is not made of pinyin syllables."""
    out: list[str] = []
    i = 0
    while i < len(word):
        for size in range(min(6, len(word) - i), 0, -1):
            if _SYLLABLE.match(word[i : i + size]):
                out.append(word[i : i + size])
                i += size
                break
        else:
            return None
    return out


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
