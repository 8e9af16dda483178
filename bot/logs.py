"""Logging set-up: text or JSON lines, and phone, ID and token numbers masked in every line."""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime

# Each pattern has a bounded length and its separators are no digits, so one pass over a text is
# linear. Groups may be split by one space or dash, as people write them (138 1234 5678).
_SEP = r"[ \-\u3000]?"
# 18-digit resident ID numbers (the last may be X): 6 + 8 + 4, or 6 + 4 + 4 + 4
_ID = re.compile(rf"(?<!\d)(\d{{6}}{_SEP})\d{{4}}{_SEP}\d{{4}}({_SEP}\d{{3}}[\dXxＸｘ])(?!\d)")
# mainland mobile numbers, also behind +86, 86 or 0086: 13812345678, +86 138-1234-5678; a Chinese
# input method may type them in full-width digits (\d matches those too)
_PHONE = re.compile(
    rf"(?<![\d+＋])((?:(?:[+＋]|00|００)?[8８][6６]{_SEP})?[1１][3-9３-９]\d{_SEP})\d{{4}}({_SEP}\d{{4}})(?!\d)"
)
# Telegram bot tokens, also inside a URL: https://api.telegram.org/bot123456:AAE.../getMe
_TOKEN = re.compile(r"(?<!\d)\d{6,12}:[A-Za-z0-9_-]{30,}")


def mask(text: str) -> str:
    """The text with ID numbers, mobile numbers and bot tokens masked (138****5678)."""
    text = _TOKEN.sub("<token>", text)
    text = _ID.sub(r"\1********\2", text)
    return _PHONE.sub(r"\1****\2", text)


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


# The update (and the request) a log line is about: set per update by the channel (each update is
# handled in a task of its own, and threads started from it copy the context) and per turn in the
# core's process; `log.info(..., extra={"request_id": 12})` names one for a single line.
UPDATE_ID: ContextVar[int | None] = ContextVar("cunjing_update_id", default=None)
REQUEST_ID: ContextVar[int | None] = ContextVar("cunjing_request_id", default=None)


@contextlib.contextmanager
def about(update_id: int | None = None, request_id: int | None = None) -> Iterator[None]:
    """Log lines inside are about this update (and request)."""
    tokens = UPDATE_ID.set(update_id), REQUEST_ID.set(request_id)
    try:
        yield
    finally:
        UPDATE_ID.reset(tokens[0])
        REQUEST_ID.reset(tokens[1])


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message (masked), update_id and request_id
    when known, exception (masked) when there is one. For a log collector (Loki, journald's JSON)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask(record.getMessage()),
        }
        for key, var in (("update_id", UPDATE_ID), ("request_id", REQUEST_ID)):
            value = getattr(record, key, None)
            value = var.get() if value is None else value
            if value is not None:
                line[key] = value
        if record.exc_info:
            line["exception"] = mask(self.formatException(record.exc_info))
        elif record.exc_text:
            line["exception"] = mask(record.exc_text)
        return json.dumps(line, ensure_ascii=False, default=str)


def setup_logging(level: int = logging.INFO, fmt: str = "text") -> None:
    """Log to stderr at `level`, as text lines or (`fmt="json"`) JSON lines (app.log_format)."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter() if fmt == "json" else MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL, and the URL holds the bot token
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # 8 lines a start; bot.store.db logs the migration
