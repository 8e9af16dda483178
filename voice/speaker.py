"""Speaking aloud without blocking the caller: a thread plays utterances chunk by chunk.

Each chunk is rendered (or found in the cache) and played; the next chunk renders while the
previous one plays, so speech starts after the first sentence, and `interrupt` takes effect
between two chunks or at once by stopping the player.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from voice.errors import SpeechError
from voice.player import Playback, Player

log = logging.getLogger(__name__)

Render = Callable[[str, str], Path]  # (chunk, lang) -> its WAV file


@dataclass(eq=False)
class Utterance:
    """One text on its way to the loudspeaker; `done` is set when it has played, failed or was dropped."""

    text: str
    lang: str
    chunks: list[str]
    queued_at: float = field(default_factory=time.monotonic)
    first_audio_at: float | None = None  # when the first chunk's WAV was ready
    played: list[Path] = field(default_factory=list)
    error: str | None = None
    cancelled: bool = False
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def ok(self) -> bool:
        return self.done.is_set() and self.error is None and not self.cancelled

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)


class Speaker:
    """A queue of utterances and the thread that speaks them, one after the other."""

    def __init__(self, render: Render, player: Player, on_done: Callable[[Utterance], None] | None = None) -> None:
        self.render = render
        self.player = player
        self.on_done = on_done
        self._queue: queue.Queue[Utterance | None] = queue.Queue()
        self._current: Utterance | None = None
        self._playing: Playback | None = None
        self._thread = threading.Thread(target=self._loop, name="cunjing-speaker", daemon=True)
        self._thread.start()

    @property
    def busy(self) -> bool:
        """True while something is being said or waits to be."""
        return self._current is not None or not self._queue.empty()

    def say(self, text: str, lang: str, chunks: list[str]) -> Utterance:
        """Queue `text` (already cut into chunks); returns at once."""
        utterance = Utterance(text, lang, chunks)
        self._queue.put(utterance)
        return utterance

    def interrupt(self) -> None:
        """Drop every queued utterance and stop the one being spoken."""
        while True:
            try:
                dropped = self._queue.get_nowait()
            except queue.Empty:
                break
            if dropped is None:  # keep a pending close
                self._queue.put(None)
                break
            dropped.cancelled = True
            self._finish(dropped)
        current, playing = self._current, self._playing
        if current is not None:
            current.cancelled = True
        if playing is not None:
            playing.stop()

    def close(self, timeout: float = 2.0) -> None:
        """Stop speaking and end the thread."""
        self.interrupt()
        self._queue.put(None)
        self._thread.join(timeout)

    def _loop(self) -> None:
        while (utterance := self._queue.get()) is not None:
            self._current = utterance
            try:
                self._speak(utterance)
            except SpeechError as exc:
                utterance.error = str(exc)
                log.warning("could not say %r: %s", utterance.text[:40], exc)
            except Exception as exc:  # a bug in one utterance must not silence the kiosk for weeks
                utterance.error = f"{type(exc).__name__}: {exc}"
                log.exception("could not say %r", utterance.text[:40])
            finally:
                self._current = None
                self._finish(utterance)

    def _speak(self, utterance: Utterance) -> None:
        if not utterance.chunks:
            raise SpeechError(f"nothing to say in {utterance.text!r}")
        for chunk in utterance.chunks:
            if utterance.cancelled:
                return
            wav = self.render(chunk, utterance.lang)
            if utterance.first_audio_at is None:
                utterance.first_audio_at = time.monotonic()
            self._wait_playing(utterance)
            if utterance.cancelled:
                return
            self._playing = self.player.start(wav)
            utterance.played.append(wav)
        self._wait_playing(utterance)

    def _wait_playing(self, utterance: Utterance) -> None:
        playing = self._playing
        while playing is not None and not playing.wait(0.1):
            if utterance.cancelled:
                playing.stop()
        self._playing = None

    def _finish(self, utterance: Utterance) -> None:
        try:
            if self.on_done is not None:
                self.on_done(utterance)
        except Exception:
            log.exception("on_done callback failed")
        finally:
            utterance.done.set()
