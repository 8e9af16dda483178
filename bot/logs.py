"""Logging set-up: one format, and phone, ID and token numbers masked in every line."""

from __future__ import annotations

import logging
import re

# 18-digit resident ID numbers (last may be X), mainland mobile numbers, Telegram bot tokens.
_ID = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_TOKEN = re.compile(r"\b\d{6,12}:[A-Za-z0-9_-]{30,}\b")


def mask(text: str) -> str:
    """The text with ID numbers, mobile numbers and bot tokens masked."""
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
