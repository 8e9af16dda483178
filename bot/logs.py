"""Logging set-up: one format, and phone, ID and token numbers masked in every line."""

from __future__ import annotations

import logging
import re

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


def setup_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL, and the URL holds the bot token
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # 8 lines a start; bot.store.db logs the migration
