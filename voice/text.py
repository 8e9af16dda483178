"""Text before speech: its language, its sentences, and numbers said the way people say them."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
STOPS = "。！？；!?;…\n"
_CLOSERS = "”’」』）)】\"'"
_SOFT = "，,、：:—"
# Service numbers are read digit by digit, as people say them ("幺幺零", "one one oh"), not as
# amounts ("一百一十"); so are phone-like runs of 7 or more digits.
_SERVICE_NUMBERS = ("96110", "12345", "12315", "110", "119", "120", "122")
_NUMBER = re.compile(r"(?<![\d.])(" + "|".join(_SERVICE_NUMBERS) + r"|\d{7,})(?![\d.])")
_ZH_DIGITS = dict(zip("0123456789", "零幺二三四五六七八九", strict=True))


def detect_lang(text: str) -> str:
    """`zh` when the text holds any Chinese character, else `en`."""
    return "zh" if _CJK.search(text) else "en"


def sentences(text: str) -> list[str]:
    """The text cut after each sentence mark (。！？；.!?; and newlines), marks and quotes kept."""
    found: list[str] = []
    start = i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        # an English full stop ends a sentence only before a space or the end: 3.5 stays whole
        if ch in STOPS or (ch == "." and (i + 1 == n or text[i + 1].isspace())):
            j = i + 1
            while j < n and (text[j] in STOPS or text[j] in _CLOSERS or text[j] == "."):
                j += 1
            found.append(text[start:j])
            start = i = j
        else:
            i += 1
    found.append(text[start:])
    return [s.strip() for s in found if s.strip()]


def _pieces(sentence: str) -> list[str]:
    """A sentence cut after its soft marks (commas, colons) and before its spaces."""
    pieces: list[str] = []
    start = 0
    for i, ch in enumerate(sentence):
        if ch in _SOFT:
            pieces.append(sentence[start : i + 1])
            start = i + 1
        elif ch.isspace() and i > start:
            pieces.append(sentence[start:i])
            start = i
    pieces.append(sentence[start:])
    return [p for p in pieces if p]


def _pack(pieces: list[str], max_chars: int) -> list[str]:
    """Pieces joined greedily into chunks of at most `max_chars`; longer pieces cut hard."""
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        while len(piece) > max_chars:
            if current.strip():
                chunks.append(current.strip())
            current = ""
            chunks.append(piece[:max_chars].strip())
            piece = piece[max_chars:]
        if len(current) + len(piece) > max_chars and current.strip():
            chunks.append(current.strip())
            current = ""
        current += piece
    if current.strip():
        chunks.append(current.strip())
    return [c for c in chunks if c]


def split_chunks(text: str, max_chars: int = 80) -> list[str]:
    """Sentences of at most `max_chars`; a longer sentence is cut at commas, then spaces, then anywhere."""
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    chunks: list[str] = []
    for sentence in sentences(text):
        chunks += [sentence] if len(sentence) <= max_chars else _pack(_pieces(sentence), max_chars)
    # a chunk of punctuation alone ("……") renders as silence: nothing to say
    return [c for c in chunks if any(ch.isalnum() for ch in c)]


def speakable(text: str, lang: str) -> str:
    """The text with service and phone numbers spelled digit by digit for the voice of `lang`."""
    if lang == "zh":
        return _NUMBER.sub(lambda m: "".join(_ZH_DIGITS[d] for d in m.group(1)), text)
    return _NUMBER.sub(lambda m: " " + " ".join(m.group(1)) + " ", text)
