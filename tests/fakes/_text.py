"""Text helpers for the fake Bot API: UTF-16 offsets, entity detection and parse_mode checking.

Telegram measures entity offsets/lengths in UTF-16 code units, detects commands, links, mentions,
hashtags and e-mail addresses in what users type, and rejects badly formed HTML / MarkdownV2 with
``400 Bad Request: can't parse entities: ...``. The fake does the same, roughly, so that a bot that
forgets to escape user input fails here as it would in production.
"""

from __future__ import annotations

import html
import re
from typing import Any


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# Entity detection for messages typed by a user, in priority order (earlier wins on overlap).
_DETECTORS: list[tuple[str, re.Pattern[str]]] = [
    ("bot_command", re.compile(r"(?<![^\s(])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_/])")),
    (
        "email",
        re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
    ),
    (
        "url",
        re.compile(
            r"(?<![A-Za-z0-9@.-])(?:https?://)?(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::\d{1,5})?"
            r"(?:/[!-~]*)?(?<![.,;:!?)])",
            re.IGNORECASE,
        ),
    ),
    ("mention", re.compile(r"(?<![A-Za-z0-9_])@[A-Za-z][A-Za-z0-9_]{3,31}(?![A-Za-z0-9_])")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
]
# Bare "domain.tld" must end in a plausible top-level domain to count as a URL ("v1.2" is not one).
_TLD_OK = re.compile(r"https?://|\.(?:[a-z]{2}|com|net|org|info|xyz|top|site|online|shop|vip|app|io|me|cc)\b",
                     re.IGNORECASE)


def detect_entities(text: str) -> list[dict[str, Any]]:
    """MessageEntity dicts (UTF-16 offsets) for commands, e-mails, URLs, mentions and hashtags."""
    spans: list[tuple[int, int, str]] = []
    for kind, pattern in _DETECTORS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if kind == "url" and not _TLD_OK.search(m.group()):
                continue
            if any(start < e and s < end for s, e, _ in spans):
                continue
            spans.append((start, end, kind))
    spans.sort()
    return [
        {"type": kind, "offset": utf16_len(text[:start]), "length": utf16_len(text[start:end])}
        for start, end, kind in spans
    ]


class EntityParseError(ValueError):
    """Raised with Telegram's wording (after "Bad Request: can't parse entities: ")."""


_HTML_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code",
    "pre", "blockquote", "tg-emoji", "tg-time",
}
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)?((?:\s+[^<>]*)?)\s*(/?)>")
_ENTITY_RE = re.compile(r"&(#\d+|#[xX][0-9a-fA-F]+|[A-Za-z]+);")


def _byte_offset(text: str, pos: int) -> int:
    return len(text[:pos].encode("utf-8"))


def _plain_html(text: str) -> str:
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch == "<":
            m = _TAG_RE.match(text, pos)
            if not m or not m.group(2):
                word = re.match(r"</?([^\s<>]*)", text[pos:])
                name = word.group(1) if word else ""
                raise EntityParseError(
                    f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, pos)}'
                )
            closing, name = m.group(1) == "/", m.group(2).lower()
            if name not in _HTML_TAGS:
                kind = "end" if closing else "start"
                raise EntityParseError(
                    f'Unsupported {kind} tag "{name}" at byte offset {_byte_offset(text, pos)}'
                )
            if closing:
                if not stack:
                    raise EntityParseError(
                        f'Unexpected end tag at byte offset {_byte_offset(text, pos)}'
                    )
                expected = stack.pop()
                if expected != name:
                    raise EntityParseError(
                        f'Unmatched end tag at byte offset {_byte_offset(text, pos)}, '
                        f'expected "</{expected}>", found "</{name}>"'
                    )
            elif not m.group(4):
                stack.append(name)
            pos = m.end()
        elif ch == "&":
            m = _ENTITY_RE.match(text, pos)
            if m:
                out.append(html.unescape(m.group()))
                pos = m.end()
            else:
                out.append(ch)
                pos += 1
        elif ch == ">":
            out.append(ch)  # Telegram tolerates a bare ">"
            pos += 1
        else:
            out.append(ch)
            pos += 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


_MD2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MD2_NAMES = {"*": "Bold", "_": "Italic", "__": "Underline", "~": "Strikethrough", "||": "Spoiler"}


def _plain_markdown_v2(text: str) -> str:
    out: list[str] = []
    open_marks: list[tuple[str, int]] = []
    link_depth = 0
    pos = 0
    at_line_start = True
    while pos < len(text):
        ch = text[pos]
        if ch == "\\":
            if pos + 1 < len(text):
                out.append(text[pos + 1])
                pos += 2
            else:
                out.append(ch)
                pos += 1
            at_line_start = False
            continue
        if ch == "`":
            fence = "```" if text.startswith("```", pos) else "`"
            end = pos + len(fence)
            while True:
                close = text.find(fence, end)
                if close < 0:
                    name = "Pre" if fence == "```" else "Code"
                    raise EntityParseError(
                        f"Can't find end of {name} entity at byte offset {_byte_offset(text, pos)}"
                    )
                if text[close - 1] != "\\":
                    break
                end = close + 1
            body = text[pos + len(fence) : close]
            if fence == "```" and "\n" in body:
                first, _, rest = body.partition("\n")
                body = rest if re.fullmatch(r"[A-Za-z0-9_+-]*", first) else body
            out.append(re.sub(r"\\([`\\])", r"\1", body))
            pos = close + len(fence)
            at_line_start = False
            continue
        two = text[pos : pos + 2]
        mark = "__" if two == "__" else "||" if two == "||" else ch if ch in "*_~" else None
        if mark:
            if open_marks and open_marks[-1][0] == mark:
                open_marks.pop()
            else:
                open_marks.append((mark, pos))
            pos += len(mark)
            at_line_start = False
            continue
        if ch == "[":
            link_depth += 1
            pos += 1
            continue
        if ch == "]" and link_depth:
            link_depth -= 1
            pos += 1
            if text.startswith("(", pos):
                close = pos + 1
                while close < len(text) and not (text[close] == ")" and text[close - 1] != "\\"):
                    close += 1
                if close >= len(text):
                    raise EntityParseError(
                        f"Can't find end of a URL at byte offset {_byte_offset(text, pos)}"
                    )
                pos = close + 1
            continue
        if ch == ">" and at_line_start:
            pos += 1
            continue
        if ch in _MD2_RESERVED:
            raise EntityParseError(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        out.append(ch)
        at_line_start = ch == "\n"
        pos += 1
    if open_marks:
        mark, where = open_marks[-1]
        raise EntityParseError(
            f"Can't find end of {_MD2_NAMES[mark]} entity at byte offset {_byte_offset(text, where)}"
        )
    if link_depth:
        raise EntityParseError("Can't find end of a TextUrl entity")
    return "".join(out)


def _plain_markdown(text: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"(?<!\\)[*_`]", "", text).replace("\\", "")


def plain_text(text: str, parse_mode: str | None) -> str:
    """What the user sees for ``text`` sent with ``parse_mode``; EntityParseError when malformed."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return _plain_html(text)
    if mode == "markdownv2":
        return _plain_markdown_v2(text)
    if mode == "markdown":
        return _plain_markdown(text)
    return text
