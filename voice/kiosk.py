"""The kiosk loop: warnings on a schedule, and spoken answers to the questions visitors type.

Everything that waits or talks to the outside is passed in (clock, input, speech, output), so a
test runs the loop in fake time with real speech. The loop never blocks on speech: it queues
utterances and looks at their outcome on later turns.
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Protocol, TextIO

from bot.core import language
from bot.services import Knowledge
from bot.settings import KioskSettings
from voice.alerts import Alert, AlertFeed
from voice.playlist import Playlist
from voice.schedule import Item, Schedule
from voice.speaker import Utterance

log = logging.getLogger(__name__)


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def now(self) -> datetime: ...  # timezone-aware, any zone: the schedule reads it in the station's


class Inputs(Protocol):
    def get(self, timeout: float) -> str | None: ...  # a typed line, or None when none came in `timeout`


class Speech(Protocol):
    @property
    def busy(self) -> bool: ...

    def speak(self, text: str, lang: str | None = None) -> Utterance: ...

    def interrupt(self) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(UTC)


class StdinInputs:
    """Lines typed on the keyboard, read by a thread so the loop can wait with a timeout."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._closed = False
        thread = threading.Thread(target=self._read, args=(stream or sys.stdin,), name="kiosk-input", daemon=True)
        thread.start()

    def _read(self, stream: TextIO) -> None:
        for line in stream:
            self._lines.put(line.rstrip("\r\n"))
        self._lines.put(None)

    def get(self, timeout: float) -> str | None:
        if self._closed:  # no keyboard (stdin closed): warnings go on
            time.sleep(timeout)
            return None
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            return None
        if line is None:
            log.info("kiosk input closed: warnings only from now on")
            self._closed = True
        return line


@dataclass
class Said:
    """One thing the kiosk said or tried to say, for its log and for tests."""

    kind: str  # warning | alert | answer | fallback
    text: str
    lang: str
    key: str | None
    utterance: Utterance
    alert: Alert | None = None
    at: float = 0.0  # the kiosk clock's monotonic time when it was queued

    @property
    def ok(self) -> bool:
        return self.utterance.ok


class Kiosk:
    """The kiosk's behaviour, one `step` at a time; `run` steps until Ctrl-C or `until()`."""

    def __init__(
        self,
        speech: Speech,
        knowledge: Knowledge,
        playlist: Playlist,
        settings: KioskSettings,
        *,
        zone: tzinfo,  # the station's time zone (bot/localtime.py), for the quiet hours
        clock: Clock | None = None,
        inputs: Inputs | None = None,
        out: TextIO | None = None,
        alerts: AlertFeed | None = None,
        default_lang: str = "zh",
        tick: float = 0.25,
    ) -> None:
        self.speech = speech
        self.knowledge = knowledge
        self.playlist = playlist
        self.schedule = Schedule(settings, playlist.warnings, zone)
        self.clock = clock or SystemClock()
        self.inputs = inputs or StdinInputs()
        self.out = out or sys.stdout
        self.alerts = alerts
        self.default_lang = default_lang
        self.tick = tick
        self.last_input: float | None = None
        self.history: deque[Said] = deque(maxlen=1000)
        self._pending: list[Said] = []

    def run(self, until: Callable[[], bool] | None = None) -> None:
        """Step until `until()` is true; Ctrl-C ends the loop quietly."""
        self._show_prompt(welcome=True)
        try:
            while until is None or not until():
                self.step()
        except KeyboardInterrupt:
            log.info("kiosk stopped")

    def step(self) -> None:
        """Wait up to a tick for a typed line; answer it, or say a warning when one is due."""
        line = self.inputs.get(self.tick)
        self._collect()
        if line is not None:
            self.last_input = self.clock.monotonic()
            if line.strip():
                self.answer(line.strip())
            return
        mono = self.clock.monotonic()
        if self.schedule.due(mono, self.clock.now(), self.last_input, self.speech.busy):
            self.warn(mono)

    def answer(self, question: str) -> Said:
        """Print the full answer to `question` and say its speech variant (or the fallback)."""
        self.speech.interrupt()  # the visitor comes first: stop the warning being said
        lang = language.choose(question, None, self.default_lang)
        intent = self.knowledge.faq.get(self.knowledge.matcher.match(question).intent)
        if intent is None:
            text = self.playlist.message("kiosk.fallback", lang)
            self._print(text)
            said = self._say("fallback", text, lang, None)
        else:
            self._print(intent.answer.get(lang))
            said = self._say("answer", intent.speech.get(lang), lang, intent.id)
        self._show_prompt()
        return said

    def warn(self, mono: float) -> Said | None:
        """Say the next item of the rotation: a new officer's alert first, else a warning."""
        active = self.alerts.active(self.clock.now(), mono) if self.alerts is not None else []
        item = self.schedule.next(mono, active)
        if item is None:
            return None
        return self._say_item(item)

    def _say_item(self, item: Item) -> Said:
        if item.alert is not None:
            text = f"{self.playlist.message('kiosk.alert_lead', item.lang)}{item.text}"
            self._print(f"» {text}")
            return self._say("alert", text, item.lang, item.key, item.alert)
        self._print(f"» {item.text}")
        return self._say("warning", item.text, item.lang, item.key)

    def _say(self, kind: str, text: str, lang: str, key: str | None, alert: Alert | None = None) -> Said:
        said = Said(kind, text, lang, key, self.speech.speak(text, lang), alert, self.clock.monotonic())
        self.history.append(said)
        self._pending.append(said)
        return said

    def _collect(self) -> None:
        """Look at utterances that finished: log failures, count alerts said."""
        for said in [s for s in self._pending if s.utterance.done.is_set()]:
            self._pending.remove(said)
            if said.utterance.error:
                log.warning("kiosk %s not said: %s", said.kind, said.utterance.error)
            elif said.alert is not None and said.ok and self.alerts is not None:
                self.alerts.spoken(said.alert)

    def _print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def _show_prompt(self, welcome: bool = False) -> None:
        keys = ("kiosk.welcome", "kiosk.prompt") if welcome else ("kiosk.prompt",)
        self._print("\n".join(self.playlist.message(k, lang) for k in keys for lang in ("zh", "en")))
