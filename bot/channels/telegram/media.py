"""Pictures in, voice notes out: the photo's words read before the turn, a `Speech` rendered as OGG/Opus.

Both run in worker threads of the channel process, outside the turn: a turn holds SQLite's write
lock from its start (BEGIN IMMEDIATE, bot/store/db.py) and the core process takes one message at
a time, so seconds of OCR or speech inside it would make every other villager wait.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from pathlib import Path

from telegram import Bot
from telegram.error import TelegramError

from bot import reading
from bot.core.types import Incoming, Speech
from bot.settings import Settings
from voice.errors import SpeechError
from voice.voicenote import VoiceNotes

log = logging.getLogger(__name__)


class Media:
    """The channel's reader of photos and maker of voice notes; each starts on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
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
        in a private chat, not a captioned command (an officer's `/log` photo), not a reply (relayed)."""
        if msg.kind != "photo" or msg.in_group or msg.reply_to is not None or msg.text.startswith("/"):
            return msg
        photo = next((a for a in msg.attachments if a.kind == "photo"), None)
        if photo is None:
            return msg
        try:
            file = await bot.get_file(photo.file_id)
            if file.file_size is not None and file.file_size > reading.MAX_BYTES:
                return msg
            image = bytes(await file.download_as_bytearray())
        except TelegramError as exc:
            log.info("photo of update %s not downloaded: %s", msg.update_id, exc)
            return msg
        words = await asyncio.to_thread(reading.reader().text, image)
        log.info("photo of update %s: %d characters read", msg.update_id, len(words))
        attachments = tuple(replace(a, text=words) if a is photo else a for a in msg.attachments)
        return replace(msg, attachments=attachments)

    def close(self) -> None:
        if self._notes is not None:
            self._notes.close()
