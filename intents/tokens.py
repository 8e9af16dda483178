"""Features of a normalised text: jieba words, Chinese character bigrams, English words."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import lru_cache

import jieba

from intents import pinyin

_RUN = re.compile(r"[\u3400-\u9fff]+|[a-z0-9]+")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[a-z]+|[0-9]+")

# Words so common in questions that they carry no sign of what the question is about.
STOPWORDS = frozenset(
    """的 了 吗 呢 吧 啊 呀 嘛 么 是 我 你 他 她 它 们 我们 你们 他们 这 那 这个 那个 有 在 就 都 也 还 又 和 跟 与
    要 会 能 可以 怎么 怎样 怎么办 什么 啥 咋 如何 为什么 哪 哪里 哪儿 一个 一下 个 给 让 把 被 说 去 来 到 上 下 里
    不 没 没有 很 太 好 对 就是 还是 或者 如果 但是 然后 所以 因为 请问 请 问 想 知道 一 二 三 些 点 过 着 得 地 之
    a an the is are was were be been to of in on at for and or but if it its this that these those i you he she
    we they me my your his her our their do does did can could should would will what how why when where who which
    with from by as so not no yes please there here have has had just about get got am""".split()
)


@lru_cache(maxsize=1)
def _jieba() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def warm_up() -> None:
    """Load jieba's dictionary now rather than on the first question."""
    _jieba()


def segment(run: str) -> list[str]:
    """jieba's words of one Chinese run, stopwords kept."""
    words: list[str] = _jieba().lcut(run, HMM=False)
    return words


def _stem(word: str) -> str:
    """A light English stem, enough to meet `scams`/`scam` and `calling`/`call`."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    """jieba words of the Chinese runs and stemmed English words, stopwords removed."""
    out: list[str] = []
    for run in _RUN.findall(text):
        if run[0] >= "\u3400":
            out += [w for w in segment(run) if w not in STOPWORDS]
        elif run not in STOPWORDS:
            out.append(_stem(run))
    return out


def bigrams(text: str) -> list[str]:
    """Overlapping character pairs of each Chinese run: robust to typos and segmentation."""
    out: list[str] = []
    for run in _CJK_RUN.findall(text):
        out += [run[i : i + 2] for i in range(len(run) - 1)]
    return out


def sounds(text: str) -> list[list[str]]:
    """The pinyin syllables of the text's Chinese runs, or of the whole text typed in pinyin."""
    return pinyin.of_romanised(text) or pinyin.of_chinese(text)


def features(
    text: str, segmented: list[str] | None = None, fold: Callable[[str], str] | None = None
) -> list[str]:
    """All features of a normalised text: words `w:`, character bigrams `b:`, syllable pairs `p:`
    (each syllable through `fold`, the accent's mergers, when given)."""
    out = [f"w:{w}" for w in (words(text) if segmented is None else segmented)] + [f"b:{b}" for b in bigrams(text)]
    for run in sounds(text):
        if fold is not None:
            run = [fold(s) for s in run]
        out += [f"p:{a}_{b}" for a, b in zip(run, run[1:], strict=False)]
    return out
