"""Pre-rendering everything the kiosk says into WAV files and an index.json (`cunjing kiosk --render`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from intents.faq import LANGS, Faq
from voice.errors import SpeechError
from voice.playlist import Playlist
from voice.tts import Tts

log = logging.getLogger(__name__)

SPOKEN_MESSAGES = ("kiosk.fallback",)


@dataclass(frozen=True)
class Entry:
    text: str
    lang: str
    intent: str | None
    file: str  # relative to the output directory
    duration: float  # seconds


def texts(playlist: Playlist, faq: Faq) -> Iterator[tuple[str, str, str | None, str]]:
    """(text, lang, intent, file) of every warning, every intent's speech and the spoken messages."""
    for lang in LANGS:
        for warning in playlist.warnings:
            yield warning.text.get(lang), lang, warning.intent, f"warnings/{warning.id}.{lang}.wav"
        for intent in faq.intents.values():
            yield intent.speech.get(lang), lang, intent.id, f"speech/{intent.id}.{lang}.wav"
        for key in SPOKEN_MESSAGES:
            yield playlist.message(key, lang), lang, None, f"messages/{key}.{lang}.wav"


def render_all(tts: Tts, playlist: Playlist, faq: Faq, out: Path) -> tuple[list[Entry], list[str]]:
    """Render every text into `out` and write `out`/index.json; returns the entries and the failures."""
    out.mkdir(parents=True, exist_ok=True)
    entries: list[Entry] = []
    failures: list[str] = []
    for text, lang, intent, file in texts(playlist, faq):
        try:
            info = tts.render(text, out / file, lang)
        except SpeechError as exc:
            log.warning("%s not rendered: %s", file, exc)
            failures.append(f"{file}: {exc}")
            continue
        entries.append(Entry(text, lang, intent, file, round(info.duration, 3)))
    index = out / "index.json"
    index.write_text(json.dumps([asdict(e) for e in entries], ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return entries, failures
