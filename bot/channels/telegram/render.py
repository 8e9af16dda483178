"""`Reply` -> Telegram messages, and Telegram's answers -> the dispatcher's `Delivery` values."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from telegram import (
    Bot,
    Chat,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyParameters,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot import metrics
from bot.channels.telegram.transport import Unanswered
from bot.core.dispatch import Blocked, Delivery, Failed, RetryLater, Sent, waited
from bot.core.types import Reply, Speech

log = logging.getLogger(__name__)

TEXT_MAX = 4096
CAPTION_MAX = 1024
DIRECT_ATTEMPTS = 3  # a reply to the person in front of us: a few quick tries, then the outbox
VoiceNotes = Callable[[Speech], "Path | None"]  # a Speech's OGG/Opus file (blocking), e.g. media.Media.voice_note


class QuietFloodLimit(logging.Filter):
    """AIORateLimiter (max_retries=0) logs each 429 it passes on as an ERROR with a traceback. A 429 is
    expected: its sender waits `retry_after` and logs one WARNING line; this drops the other record."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Rate limit hit after maximum of")


def quiet_flood_limits() -> None:
    """Install `QuietFloodLimit` on PTB's rate limiter's logger (once)."""
    logger = logging.getLogger("telegram.ext.AIORateLimiter")
    if not any(isinstance(f, QuietFloodLimit) for f in logger.filters):
        logger.addFilter(QuietFloodLimit())


Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ForceReply


def markup(reply: Reply) -> Markup | None:
    """The one keyboard a message can carry: inline buttons, else the contact button, else the
    persistent keyboard, else the reply box."""
    if reply.contact_button and not reply.buttons:
        button = KeyboardButton(reply.contact_button, request_contact=True)
        return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)
    if reply.keyboard and not reply.buttons:
        return ReplyKeyboardMarkup([list(row) for row in reply.keyboard], resize_keyboard=True, is_persistent=True)
    if reply.force_reply and not reply.buttons:
        return ForceReply()
    return inline(reply)


def inline(reply: Reply) -> InlineKeyboardMarkup | None:
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


async def send(bot: Bot, chat_id: int, reply: Reply, voices: VoiceNotes | None = None) -> Message:
    """Send one reply; the buttons ride on its last message, and its first message answers
    `reply.reply_to` when set (sent plainly if that message is gone). Returns the last message.
    A reply with a `voice` is a voice note captioned with the text, or, when it cannot be
    spoken, the text and the words it would have said."""
    keyboard = markup(reply)
    if reply.edit is not None:
        return await edit(bot, chat_id, reply)
    answering = None
    if reply.reply_to is not None:
        answering = ReplyParameters(reply.reply_to, allow_sending_without_reply=True)
    if reply.voice is not None:
        note = await asyncio.to_thread(voices, reply.voice) if voices is not None else None
        if note is not None and len(reply.text) <= CAPTION_MAX:
            caption = reply.text or None
            return await bot.send_voice(
                chat_id, note.read_bytes(), caption=caption, reply_markup=keyboard, reply_parameters=answering
            )
        reply = replace(reply, text=f"{reply.text}\n{reply.voice.text}".strip(), voice=None)
    if reply.document:
        return await send_document(bot, chat_id, reply, keyboard, answering)
    if reply.photo:
        caption = reply.text if len(reply.text) <= CAPTION_MAX else None
        message = await bot.send_photo(
            chat_id,
            reply.photo,
            caption=caption,
            reply_markup=keyboard if caption is not None else None,
            reply_parameters=answering,
        )
        if caption is not None or not reply.text:
            return message
        answering = None
    pieces = chunks(reply.text or "-")
    for piece in pieces[:-1]:
        await bot.send_message(chat_id, piece, reply_parameters=answering)
        answering = None
    return await bot.send_message(chat_id, pieces[-1], reply_markup=keyboard, reply_parameters=answering)


async def send_document(
    bot: Bot, chat_id: int, reply: Reply, keyboard: Markup | None, answering: ReplyParameters | None
) -> Message:
    """The file under its own name (a workbook opens in the phone's spreadsheet app), the text as its
    caption, or after it when too long for one."""
    assert reply.document is not None
    path = Path(reply.document)
    caption = reply.text if len(reply.text) <= CAPTION_MAX else None
    message = await bot.send_document(
        chat_id,
        path.read_bytes(),
        filename=path.name,
        caption=caption or None,
        reply_markup=keyboard if caption is not None else None,
        reply_parameters=answering,
    )
    if caption is not None:
        return message
    pieces = chunks(reply.text)
    for piece in pieces[:-1]:
        await bot.send_message(chat_id, piece)
    return await bot.send_message(chat_id, pieces[-1], reply_markup=keyboard)


async def edit(bot: Bot, chat_id: int, reply: Reply) -> Message:
    """Rewrite message `reply.edit` of the chat: its text, and its inline buttons (none: removed).
    An edit that changes nothing (sent again after an unknown outcome) counts as done."""
    assert reply.edit is not None
    try:
        text = reply.text[:TEXT_MAX] or "-"
        done = await bot.edit_message_text(text, chat_id, reply.edit, reply_markup=inline(reply))
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
        return Message(reply.edit, datetime.now(UTC), Chat(chat_id, Chat.PRIVATE))
    assert isinstance(done, Message)  # True only for inline messages, which the bot does not send
    return done


async def deliver(bot: Bot, chat_id: int, reply: Reply, voices: VoiceNotes | None = None) -> Delivery:
    """Send and say what happened, in the dispatcher's words."""
    try:
        message = await send(bot, chat_id, reply, voices)
    except RetryAfter as exc:
        metrics.FLOOD_LIMITS.inc()
        metrics.FLOOD_WAIT.inc(retry_after_seconds(exc))
        return RetryLater("flood limit", retry_after_seconds(exc))
    except Forbidden as exc:
        return Blocked(str(exc))
    except BadRequest as exc:
        if "chat not found" in str(exc).lower():
            return Blocked(str(exc))
        return Failed(str(exc))
    except Unanswered as exc:  # sent, no answer: Telegram may have it; the sender decides by the message's kind
        return RetryLater(f"no answer: {exc}", unknown=True)
    except NetworkError as exc:  # also TimedOut before sending and the server's 5xx answers
        return RetryLater(f"network: {exc}")
    except TelegramError as exc:
        return RetryLater(f"telegram: {exc}")
    return Sent(message.message_id)


async def deliver_now(bot: Bot, chat_id: int, reply: Reply, voices: VoiceNotes | None = None) -> Delivery:
    """A direct reply: retried a few times at once (flood waits honoured), else left to the outbox."""
    result: Delivery = Failed("not sent")
    for attempt in range(DIRECT_ATTEMPTS):
        result = await deliver(bot, chat_id, reply, voices)
        if not isinstance(result, RetryLater):
            return result
        if result.unknown:  # a reply goes at most once: the person asks again rather than reads it twice
            log.warning("reply to chat %s: outcome unknown (%s); not sent again", chat_id, result.error)
            return result
        log.warning("reply to chat %s: %s%s; trying again", chat_id, result.error, waited(result))
        await asyncio.sleep(result.after if result.after is not None else 0.5 * 2**attempt)
    return result


def retry_after_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return float(value.total_seconds()) if hasattr(value, "total_seconds") else float(value)
