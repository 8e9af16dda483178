"""`Reply` -> Telegram messages, and Telegram's answers -> the dispatcher's `Delivery` values."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.core.dispatch import Blocked, Delivery, Failed, RetryLater, Sent
from bot.core.types import Reply

log = logging.getLogger(__name__)

TEXT_MAX = 4096
CAPTION_MAX = 1024
DIRECT_ATTEMPTS = 3  # a reply to the person in front of us: a few quick tries, then the outbox


def markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    rows = [
        [InlineKeyboardButton(b.label, url=b.url) if b.url else InlineKeyboardButton(b.label, callback_data=b.data)
         for b in row]
        for row in reply.buttons
    ]
    return InlineKeyboardMarkup(rows)


def chunks(text: str, size: int = TEXT_MAX) -> list[str]:
    """A long text in pieces of at most `size`, cut at line ends where possible."""
    out: list[str] = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size)
        cut = cut if cut > size // 2 else size
        out.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*out, text] if text or not out else out


async def send(bot: Bot, chat_id: int, reply: Reply) -> Message:
    """Send one reply; the buttons ride on its last message. Returns that message."""
    keyboard = markup(reply)
    if reply.photo:
        caption = reply.text if len(reply.text) <= CAPTION_MAX else None
        message = await bot.send_photo(
            chat_id, reply.photo, caption=caption, reply_markup=keyboard if caption is not None else None
        )
        if caption is not None or not reply.text:
            return message
    pieces = chunks(reply.text or "-")
    for piece in pieces[:-1]:
        await bot.send_message(chat_id, piece)
    return await bot.send_message(chat_id, pieces[-1], reply_markup=keyboard)


async def deliver(bot: Bot, chat_id: int, reply: Reply) -> Delivery:
    """Send and say what happened, in the dispatcher's words."""
    try:
        message = await send(bot, chat_id, reply)
    except RetryAfter as exc:
        return RetryLater("flood limit", retry_after_seconds(exc))
    except Forbidden as exc:
        return Blocked(str(exc))
    except BadRequest as exc:
        if "chat not found" in str(exc).lower():
            return Blocked(str(exc))
        return Failed(str(exc))
    except NetworkError as exc:  # also TimedOut and the server's 5xx answers
        return RetryLater(f"network: {exc}")
    except TelegramError as exc:
        return RetryLater(f"telegram: {exc}")
    return Sent(message.message_id)


async def deliver_now(bot: Bot, chat_id: int, reply: Reply) -> Delivery:
    """A direct reply: retried a few times at once (flood waits honoured), else left to the outbox."""
    result: Delivery = Failed("not sent")
    for attempt in range(DIRECT_ATTEMPTS):
        result = await deliver(bot, chat_id, reply)
        if not isinstance(result, RetryLater):
            return result
        await asyncio.sleep(result.after if result.after is not None else 0.5 * 2**attempt)
    return result


def retry_after_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return float(value.total_seconds()) if hasattr(value, "total_seconds") else float(value)
