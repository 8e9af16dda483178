"""What users send is untrusted: one place cleans it, one helper reads the numbers in it.

`clean` runs at the top of `Conversation.handle`, the one door into the core: every channel
(Telegram, the console, the kiosk, the core process) comes through it, and so does every test.
`Incoming` itself stays a plain value that does not change what it is given.
"""

from __future__ import annotations

import re
from dataclasses import fields, replace

from bot.core.types import Attachment, Incoming

# Telegram's own limit for a message (in UTF-16 units, so never fewer characters): a longer text
# is not from Telegram, and cutting it keeps every later step of the turn short.
MAX_TEXT = 4096
MAX_WORD = 256  # a command's name, a button's data (Telegram: 64 bytes), a file id, a language
MAX_NAME = 256  # Telegram: first and last name are 64 characters each
# ids are INTEGER columns: PostgreSQL's is 32 bits. A number beyond it names no row.
MAX_ID = 2**31 - 1
_MAX_MESSAGE_ID = 2**63 - 1  # message ids are BIGINT columns
_LIMITS = {"name": MAX_NAME, "command": MAX_WORD, "button": MAX_WORD, "lang_hint": MAX_WORD, "kind": MAX_WORD}

# NUL (which PostgreSQL refuses in text), the other C0 and C1 controls but tab and newline, and
# surrogates (a lone one cannot be encoded as UTF-8 for either database). A carriage return goes:
# `\r\n` becomes `\n`.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# ASCII digits only (`str.isdigit` accepts ① and ²); a run of zeros first is allowed, and `#12`.
# More than 32 digits is no number anyone means (and `int` refuses beyond 4,300 of them).
_NUMBER = re.compile(r"#?0*([0-9]{1,32})")


def text(value: str, limit: int = MAX_TEXT) -> str:
    """`value` cut to `limit` characters, without controls (tab and newline stay) or surrogates."""
    return _UNSAFE.sub("", value[:limit])


def clean(msg: Incoming) -> Incoming:
    """The same message with every string a user could put in it cleaned and capped: each field
    by its type, so that a field added later is cleaned too."""
    changes: dict[str, object] = {}
    for f in fields(msg):
        value = getattr(msg, f.name)
        limit = _LIMITS.get(f.name, MAX_TEXT)
        if isinstance(value, str):
            changes[f.name] = text(value, limit)
        elif isinstance(value, tuple) and all(isinstance(v, Attachment) for v in value):
            changes[f.name] = tuple(_attachment(a) for a in value[:MAX_WORD])
        elif isinstance(value, tuple):
            changes[f.name] = _words(value)
    if msg.reply_to is not None and not 0 <= msg.reply_to <= _MAX_MESSAGE_ID:
        changes["reply_to"] = None  # no message of ours has that id
    return replace(msg, **changes)  # type: ignore[arg-type]


def _words(values: tuple[str, ...]) -> tuple[str, ...]:
    """A command's arguments: they come from one text, and together get as much room as it."""
    budget = MAX_TEXT
    out: list[str] = []
    for raw in values:
        if budget <= 0:
            break
        word = text(raw, budget)
        budget -= len(word) + 1
        if word.strip():
            out.append(word)
    return tuple(out)


def _attachment(a: Attachment) -> Attachment:
    return Attachment(text(a.kind, MAX_WORD), text(a.file_id, MAX_WORD), text(a.name, MAX_NAME), text=text(a.text))


def number(word: str) -> int | None:
    """The number a user typed or a button carried (`12`, `#12`, `0012`), or None when it is none."""
    found = _NUMBER.fullmatch(word)
    return int(found.group(1)) if found else None


def findable(number: int) -> bool:
    """Whether a row could have this id: a number beyond the column's range is simply not found."""
    return 0 < number <= MAX_ID
