"""The text-to-speech service: speak aloud, or render to WAV, in the voice of the text's language.

pyttsx3 runs in a worker process (voice.engine), every chunk it writes is checked (voice.wav) and
kept in the cache (voice.cache), and speech aloud plays those files from a thread (voice.speaker),
so nothing here blocks the kiosk loop for longer than a render.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from bot.settings import VoiceSettings
from voice import text as texts
from voice import wav
from voice.cache import SpeechCache
from voice.engine import EngineInfo, EngineProcess
from voice.errors import SpeechError
from voice.player import Player
from voice.speaker import Speaker, Utterance

log = logging.getLogger(__name__)


class Tts:
    """Speech for the kiosk and the command line; close it (or use `with`) to stop the worker."""

    def __init__(
        self,
        settings: VoiceSettings,
        *,
        player: Player | None = None,
        on_spoken: Callable[[Utterance], None] | None = None,
    ) -> None:
        self.settings = settings
        self.engine = EngineProcess(self.voice_names, settings.timeout_seconds, settings.timeout_seconds)
        self.cache = SpeechCache(settings.cache_dir, int(settings.cache_max_mb * 1024 * 1024))
        self._player = player
        self._on_spoken = on_spoken
        self._speaker: Speaker | None = None

    @property
    def voice_names(self) -> dict[str, str]:
        """The configured voice of each language."""
        return {"zh": self.settings.voice_zh, "en": self.settings.voice_en}

    def start(self) -> EngineInfo:
        """Start the engine now rather than at the first text; NoEngine says what to install."""
        self.cache.prune()
        return self.engine.start()

    def chunks(self, text: str) -> list[str]:
        """`text` cut at sentence boundaries into the chunks that are synthesised one by one."""
        return texts.split_chunks(text, self.settings.max_chunk_chars)

    def chunk_wav(self, chunk: str, lang: str) -> Path:
        """The WAV of one chunk: from the cache, else synthesised, checked and cached."""
        spoken = texts.speakable(chunk, lang)
        key = SpeechCache.key(spoken, self.voice_names[lang], self.settings.rate, self.settings.volume)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        scratch = self.cache.scratch(key)
        try:
            self.engine.synthesize(spoken, lang, self.settings.rate, self.settings.volume, scratch)
            try:
                wav.check(scratch)
            except SpeechError as exc:
                # an engine that wrote nothing or silence once is given one more chance
                log.warning("speech synthesis failed, trying once more: %s", exc)
                scratch.unlink(missing_ok=True)
                self.engine.synthesize(spoken, lang, self.settings.rate, self.settings.volume, scratch)
                wav.check(scratch)
            return self.cache.put(key, scratch)
        finally:
            scratch.unlink(missing_ok=True)

    def render(self, text: str, path: Path, lang: str | None = None) -> wav.WavInfo:
        """Write `text` spoken into the WAV file `path`; SpeechError when that fails."""
        lang = lang or texts.detect_lang(text)
        chunks = self.chunks(text)
        if not chunks:
            raise SpeechError(f"nothing to say in {text!r}")
        return wav.join([self.chunk_wav(chunk, lang) for chunk in chunks], path)

    @property
    def speaker(self) -> Speaker:
        if self._speaker is None:
            player = self._player or Player(self.settings.player)
            self._speaker = Speaker(self.chunk_wav, player, self._on_spoken)
        return self._speaker

    def speak(self, text: str, lang: str | None = None) -> Utterance:
        """Say `text` aloud (queued behind what is being said); returns at once."""
        lang = lang or texts.detect_lang(text)
        return self.speaker.say(text, lang, self.chunks(text))

    def interrupt(self) -> None:
        """Stop what is being said and drop what waits to be said."""
        if self._speaker is not None:
            self._speaker.interrupt()

    @property
    def busy(self) -> bool:
        return self._speaker is not None and self._speaker.busy

    def close(self) -> None:
        """Stop speaking and stop the worker process."""
        if self._speaker is not None:
            self._speaker.close()
        self.engine.stop()

    def __enter__(self) -> Tts:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
