"""Pictures and voice notes in, voice notes out: the photo's words read and a voice note heard
before the turn, a `Speech` rendered as OGG/Opus.

All run in worker threads of the channel process, outside the turn: a turn holds SQLite's write
lock from its start (BEGIN IMMEDIATE, bot/store/db.py) and the core process takes one message at
a time, so seconds of OCR, hearing or speech inside it would make every other villager wait.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from telegram import Bot
from telegram.error import TelegramError

from bot import reading
from bot.core.types import Incoming, Speech
from bot.settings import Settings
from voice import hearing
from voice.errors import SpeechError
from voice.voicenote import VoiceNotes

log = logging.getLogger(__name__)


class Media:
    """The channel's reader of photos and maker of voice notes; each starts on first use."""

    def __init__(self, settings: Settings, photo_kept: Callable[[int], bool] = lambda user_id: False) -> None:
        self.settings = settings
        # whether a user's photo now is only kept for a request being written (bot/core/intake.py): not read
        self.photo_kept = photo_kept
        self._notes: VoiceNotes | None = None

    @property
    def notes(self) -> VoiceNotes:
        if self._notes is None:
            self._notes = VoiceNotes(self.settings.voice)
        return self._notes

    def voice_note(self, speech: Speech) -> Path | None:
        """The OGG/Opus file of `speech` (blocking: call it in a thread); None when it cannot be spoken."""
        try:
            return self.notes.ogg(speech.text, speech.lang)
        except SpeechError as exc:  # also NoEngine: espeak-ng missing (scripts/system-deps.sh installs it)
            log.warning("no voice note: %s", exc)
            return None

    async def read(self, bot: Bot, msg: Incoming) -> Incoming:
        """`msg` with the words of its photo when it is a villager's picture that may be checked:
        in a private chat, not a captioned command (an officer's `/log` photo), not a reply (relayed).
        A villager's voice note the same way: `hear`."""
        if msg.kind == "voice":
            return await self.hear(bot, msg)
        if msg.kind != "photo" or msg.in_group or msg.reply_to is not None or msg.text.startswith("/"):
            return msg
        photo = next((a for a in msg.attachments if a.kind == "photo"), None)
        if photo is None or await asyncio.to_thread(self.photo_kept, msg.user_id):
            return msg
        image = await download(bot, photo.file_id, reading.MAX_BYTES, f"photo of update {msg.update_id}")
        if image is None:
            return msg
        words = await asyncio.to_thread(reading.reader().text, image)
        log.info("photo of update %s: %d characters read", msg.update_id, len(words))
        attachments = tuple(replace(a, text=words) if a is photo else a for a in msg.attachments)
        return replace(msg, attachments=attachments)

    async def hear(self, bot: Bot, msg: Incoming) -> Incoming:
        """A villager's voice note in a private chat, not a reply, as the text turn of what was
        heard in it (`heard` set), when `voice.hearing` is on, the recogniser is installed and it
        trusts what it heard; else `msg` as it came (the big buttons and the officer's phone)."""
        note = next((a for a in msg.attachments if a.kind == "voice"), None)
        if note is None or msg.in_group or msg.reply_to is not None or self.settings.voice.hearing == "off":
            return msg
        ears = hearing.hearing(self.settings.voice.hearing_max_seconds)
        if not ears.usable:
            return msg
        ogg = await download(bot, note.file_id, hearing.MAX_BYTES, f"voice note of update {msg.update_id}")
        if ogg is None:
            return msg
        heard = await asyncio.to_thread(ears.hear, ogg)
        if heard is None or not heard.trusted:
            return msg  # nothing shown of what was not trusted
        return replace(msg, kind="text", text=heard.text, heard=True, attachments=())

    def close(self) -> None:
        if self._notes is not None:
            self._notes.close()


async def download(bot: Bot, file_id: str, max_bytes: int, what: str) -> bytes | None:
    """A file's bytes from Telegram; None when it is larger than `max_bytes` or cannot be had."""
    try:
        file = await bot.get_file(file_id)
        if file.file_size is not None and file.file_size > max_bytes:
            return None
        return bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        log.info("%s not downloaded: %s", what, exc)
        return None
