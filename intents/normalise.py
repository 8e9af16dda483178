"""Text normalisation before matching: one canonical form for what villagers type.

Full-width to half-width, traditional to simplified Chinese, case, punctuation, emoji and
whitespace, and the homophone typos of pinyin input listed in faq/normalise.yaml.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

import opencc

_SURROGATES = re.compile(r"[\ud800-\udfff]")
_SPACES = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _keep(ch: str) -> str:
    """Letters and digits stay; punctuation, symbols, emoji and controls become spaces."""
    cat = unicodedata.category(ch)
    return ch if cat[0] in "LN" else " "


def simplify(text: str) -> str:
    """Traditional to simplified Chinese; safe on any string."""
    return str(_t2s().convert(text))


class Normaliser:
    """Turns any string into the canonical form the matcher and checker compare."""

    def __init__(self, typos: Mapping[str, str] | None = None) -> None:
        self.typos = dict(typos or {})
        # longest first, so that 身分证号 wins over 身分
        alternatives = sorted(self.typos, key=len, reverse=True)
        self._typo_re = re.compile("|".join(map(re.escape, alternatives))) if alternatives else None

    def __call__(self, text: str) -> str:
        return self.normalise(text)

    def normalise(self, text: str) -> str:
        text = _SURROGATES.sub(" ", text)
        text = unicodedata.normalize("NFKC", text)
        if _CJK.search(text):
            text = simplify(text)
        text = text.lower()
        if self._typo_re is not None:
            text = self._typo_re.sub(lambda m: self.typos[m.group(0)], text)
        text = "".join(map(_keep, text))
        return _SPACES.sub(" ", text).strip()


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))
