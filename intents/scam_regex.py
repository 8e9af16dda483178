"""Rewriting rule terms so that Python's `re` can scan fast.

`re` skips quickly through text to the characters that can start a match only when every
branch of an alternation begins with a plain character. A term that begins with a group,
`(帮|协助)我...`, or a small class, `[三双]倍`, makes it try every branch at every position
(about 4 times slower). `distribute` rewrites such a term into branches that each start
with a character: `帮我...|协助我...`. The meaning is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_QUANTIFIERS = ("?", "*", "+", "{")
_MAX_BRANCHES = 64  # beyond this a term is left as written
_DIGITS = "0123456789"


def distribute(source: str) -> list[str]:
    """Equivalent branches of `source` that each start with a plain character where possible."""
    out: list[str] = []
    for branch in split_top(source):
        out += _lead(branch)
        if len(out) > _MAX_BRANCHES:
            return [source]
    try:  # a safety net: the rewrite must never turn a good term into a bad one
        re.compile("|".join(out))
    except re.error:
        return [source]
    return out


def _lead(term: str) -> list[str]:
    """One branch without top-level `|`, its leading group or class distributed."""
    head = _leading(term)
    if head is None:
        return [term]
    alternatives, rest = head
    item = term[: len(term) - len(rest)]
    if rest.startswith("?") and not rest.startswith("??"):
        # (x)?rest: the branches of x followed by rest, and rest alone
        return _join([_lead(a + rest[1:]) for a in alternatives] + [_lead(rest[1:])], term)
    if rest.startswith("+") and not rest.startswith("++"):
        rest = f"{item}*{rest[1:]}"  # x+rest == x x*rest
    elif rest.startswith("{"):
        repeat = _repeat(rest)
        if repeat is None:
            return [term]
        low, high, after = repeat
        rest = f"{item}{{{low - 1},{high - 1}}}{after}" if high > 1 else after
    elif rest[:1] in _QUANTIFIERS:
        return [term]
    out: list[str] = []
    for alternative in alternatives:
        out += _lead(alternative + rest)
        if len(out) > _MAX_BRANCHES:
            return [term]
    return out


def _join(parts: list[list[str]], term: str) -> list[str]:
    """Branches of several parts, or the term as written when they are too many or empty."""
    out = [branch for part in parts for branch in part]
    return out if len(out) <= _MAX_BRANCHES and all(out) else [term]


def _repeat(rest: str) -> tuple[int, int, str] | None:
    """`{n,m}after` with 1 <= n <= m, as (n, m, after); None for other counts."""
    match = re.match(r"\{(\d+)(?:,(\d+))?\}(?![?+])", rest)
    if match is None:
        return None
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) is not None else low
    return (low, high, rest[match.end() :]) if 1 <= low <= high else None


def _leading(term: str) -> tuple[list[str], str] | None:
    """The alternatives of a leading `(...)`, `(?:...)`, `[...]` or `\\d`, and what follows it."""
    if term.startswith("\\d"):
        return list(_DIGITS), term[2:]
    if term.startswith("[") and not term.startswith("[^"):
        end = term.find("]", 1)
        chars = term[1:end] if end > 1 else ""
        if end > 1 and all(ch not in "\\-[^" for ch in chars) and len(chars) <= 12:
            return [re.escape(ch) for ch in chars], term[end + 1 :]
        return None
    if not term.startswith("(") or term.startswith("(?") and not term.startswith("(?:"):
        return None
    close = _closing(term)
    if close is None:
        return None
    inner = term[3:close] if term.startswith("(?:") else term[1:close]
    return split_top(inner), term[close + 1 :]


def _structure(source: str) -> Iterator[tuple[int, str, int]]:
    """Each `(`, `)` and `|` outside escapes and character classes: (index, char, depth after it)."""
    depth, i, in_class = 0, 0, False
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch in "()|":
            depth += {"(": 1, ")": -1, "|": 0}[ch]
            yield i, ch, depth
        i += 1


def _closing(term: str) -> int | None:
    """The index of the `)` that closes the group opening `term`."""
    return next((i for i, ch, depth in _structure(term) if ch == ")" and depth == 0), None)


def split_top(source: str) -> list[str]:
    """`source` split at the `|` that are not inside a group or a class."""
    cuts = [i for i, ch, depth in _structure(source) if ch == "|" and depth == 0]
    return [source[a + 1 : b] for a, b in zip([-1, *cuts], [*cuts, len(source)], strict=True)]
