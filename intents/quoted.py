"""A received message quoted, then the villager's question: "他发给我：【xx】您的…请点击… 这个是真的吗".

The quote is what the message is about; the villager's own words around it ask about it. A quote is
found inside quotation marks (“” 「」 『』 ""), or from a 【sender】 tag, a colon near the start, or a
cue such as 发给我 / 短信说 / 内容是 (faq/dialect.yaml `quoted`) up to the last sentence break; what
follows that break is the villager's question. Links inside the quote become the word 链接, which is
how the FAQ's examples speak of them. When the villager's words only ask whether the quote is real
(是真的吗, 能点吗: faq/dialect.yaml `checks`), the quote carries the topic; otherwise the villager's
own words are the question. The matcher scores these readings beside the whole message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

MIN_QUOTE = 6  # characters: a shorter quote ("周末吗") says too little to carry a topic
MAX_TAIL = 20  # characters: the villager's question after a quote is short
COLON_WITHIN = 16  # a colon this near the start introduces what was received ("对方说：…")
_PAIRS = re.compile(r"“([^”]+)”|「([^」]+)」|『([^』]+)』|\"([^\"]+)\"")
_URL = re.compile(
    r"(?:https?://)?(?:[a-z0-9-]+\.)+(?:cn|com|top|cc|vip|net|xyz|org|shop|info|site|club|icu|co)(?:/\S*)?",
    re.IGNORECASE,
)
_BREAKS = re.compile(r"[。！？!?；;，,\s\n]+")


@dataclass(frozen=True)
class Quoted:
    quote: str  # the received message, links read as 链接
    outside: str  # the villager's own words around it
    checking: bool  # the villager only asks whether the quote is real or safe


@lru_cache(maxsize=8)
def _cues_re(cues: tuple[str, ...]) -> re.Pattern[str] | None:
    ordered = sorted(cues, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered))) if ordered else None


def _start(text: str, cues: Sequence[str]) -> int | None:
    """Where an unmarked quote begins: after a near colon or a cue, or at a 【sender】 tag."""
    found: list[int] = []
    colon = re.search(r"[：:]", text[: COLON_WITHIN + 1])
    if colon:
        found.append(colon.end())
    bracket = text.find("【")
    if bracket >= 0:
        found.append(bracket)
    pattern = _cues_re(tuple(cues))
    cue = pattern.search(text) if pattern else None
    if cue and cue.start() <= COLON_WITHIN:
        found.append(cue.end())
    return min(found) if found else None


def split(text: str, cues: Sequence[str], checks: Sequence[str]) -> Quoted | None:
    """The quote and the villager's words of a message, or None when nothing is quoted."""
    inside = [next(g for g in m.groups() if g) for m in _PAIRS.finditer(text)]
    if inside:
        quote, outside = " ".join(inside), _PAIRS.sub(" ", text)
    else:
        start = _start(text, cues)
        if start is None:
            return None
        breaks = list(_BREAKS.finditer(text, start))
        if not breaks:
            return None
        last = breaks[-1]
        if last.end() == len(text):  # a break at the very end: the one before it
            if len(breaks) < 2:
                return None
            last = breaks[-2]
        tail = text[last.end() :]
        if not tail.strip() or len(tail) > MAX_TAIL:
            return None
        quote, outside = text[start : last.start()], text[:start] + " " + tail
    quote = _URL.sub(" 链接 ", quote).strip(" ：:")
    if len(quote) < MIN_QUOTE:
        return None
    return Quoted(quote, outside.strip(), any(c in outside for c in checks))


def readings(parts: Quoted, understand: Callable[[str], str]) -> list[str]:
    """What to score beside the whole message, most context first."""
    quote, outside = understand(parts.quote), understand(parts.outside)
    if parts.checking:
        return [r for r in (f"{quote} {outside}".strip(), quote) if r]
    return [outside] if len(outside) >= 4 else []
