"""The parent's handle on the speech worker process: start it, send jobs, time out, restart.

One job at a time (a lock), each with a deadline. A worker that dies is restarted and the job
tried once more; a worker that stops answering is killed, and the next job starts a new one.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import queue
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from voice import worker
from voice.errors import NoEngine, SpeechError, install_hint

log = logging.getLogger(__name__)

_POLL = 0.05  # seconds between two looks at a silent worker: is it still alive?


@dataclass(frozen=True)
class EngineInfo:
    driver: str
    voices: Mapping[str, str]  # lang -> the engine's voice id
    pid: int


class _Dead(Exception):
    """The worker process died during a job."""


class EngineProcess:
    """The speech engine in a worker process (spawned, so no state of this process leaks into it)."""

    def __init__(self, wanted: Mapping[str, str], timeout: float = 30.0, start_timeout: float = 30.0) -> None:
        self.wanted = dict(wanted)  # lang -> configured voice name, e.g. {"zh": "cmn", "en": "en"}
        self.timeout = timeout
        self.start_timeout = start_timeout
        self.jobs = 0  # jobs sent, over every worker: tests and the benchmark count syntheses
        self.restarts = 0
        self._ctx = multiprocessing.get_context("spawn")
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._process: BaseProcess | None = None
        self._jobs: Any = None
        self._results: Any = None
        self._info: EngineInfo | None = None
        self._fatal: NoEngine | None = None
        self._closed = False

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def start(self) -> EngineInfo:
        """Start the worker (when it is not running) and return its driver and voices."""
        with self._lock:
            if self._closed:
                raise SpeechError("the speech engine is stopped")
            if self._fatal is not None:
                raise self._fatal
            if self._info is not None and self.alive:
                return self._info
            if self._process is not None:
                self.restarts += 1
                log.warning("speech worker %s is gone: starting a new one", self._process.pid)
                self._discard()
            self._info = self._spawn()
            return self._info

    def _spawn(self) -> EngineInfo:
        self._jobs, self._results = self._ctx.Queue(), self._ctx.Queue()
        # the worker gives up on an utterance a little before we give up on the worker: it can
        # still answer with an error instead of being killed
        args = (self._jobs, self._results, self.wanted, 0.8 * self.timeout)
        self._process = self._ctx.Process(target=worker.serve, args=args, name="cunjing-speech", daemon=True)
        self._process.start()
        try:
            ready = self._receive(time.monotonic() + self.start_timeout)
        except _Dead:
            code = self._process.exitcode
            self._discard()
            raise SpeechError(f"the speech worker exited at start (exit code {code})") from None
        except TimeoutError:
            self._discard()
            raise SpeechError(f"the speech worker did not start in {self.start_timeout:.0f} s") from None
        if not isinstance(ready, worker.Ready) or not ready.ok:
            error = getattr(ready, "error", repr(ready))
            self._discard()
            self._fatal = NoEngine(f"no speech engine ({error}): {install_hint()}")
            raise self._fatal
        log.info("speech worker %s ready: %s, voices %s", self._process.pid, ready.driver, dict(ready.voices))
        return EngineInfo(ready.driver, dict(ready.voices), self._process.pid or 0)

    def voice(self, lang: str) -> str:
        """The engine's voice id for `lang`; NoEngine when the machine has none for it."""
        info = self.start()
        if lang not in info.voices:
            wanted = self.wanted.get(lang, lang)
            raise NoEngine(f"no {lang} voice ({wanted}) in the speech engine {info.driver}: {install_hint()}")
        return info.voices[lang]

    def synthesize(self, text: str, lang: str, rate: int, volume: float, path: Path) -> None:
        """Write `text` spoken in `lang` into the WAV file `path`; SpeechError when the worker fails."""
        with self._lock:
            for attempt in (1, 2):
                job = worker.Job(next(self._ids), text, self.voice(lang), rate, volume, str(path))
                try:
                    result = self._ask(job)
                except _Dead:
                    if attempt == 2:
                        raise SpeechError("the speech worker died twice on one text") from None
                    continue  # start() restarts it; the text is tried once more
                if not result.ok:
                    raise SpeechError(f"speech synthesis failed: {result.error}")
                return

    def _ask(self, job: worker.Job) -> worker.Result:
        self.jobs += 1
        self._jobs.put(job)
        try:
            while True:
                answer = self._receive(time.monotonic() + self.timeout)
                if isinstance(answer, worker.Result) and answer.id == job.id:
                    return answer
        except TimeoutError:
            log.error("speech worker %s did not answer in %.0f s: killed", self.pid, self.timeout)
            self._kill()
            raise SpeechError(f"the speech engine did not answer in {self.timeout:.0f} s (restarted)") from None

    def _receive(self, deadline: float) -> Any:
        """The worker's next message; _Dead when it died, TimeoutError at the deadline."""
        while True:
            try:
                return self._results.get(timeout=_POLL)
            except queue.Empty:
                pass
            if not self.alive:
                raise _Dead
            if time.monotonic() >= deadline:
                raise TimeoutError

    def _kill(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.kill()
            self._process.join(2)

    def _discard(self) -> None:
        """Forget the worker and its queues (a killed worker may have left them half written)."""
        self._kill()
        for q in (self._jobs, self._results):
            if q is not None:
                q.cancel_join_thread()
                q.close()
        self._process = self._jobs = self._results = None
        self._info = None

    def stop(self) -> None:
        """Ask the worker to finish, and kill it when it does not within a second; no restart after."""
        self._closed = True
        if not self._lock.acquire(timeout=1):
            # a job is running: kill the worker under it (its caller gets a SpeechError)
            self._kill()
            for q in (self._jobs, self._results):
                if q is not None:
                    q.cancel_join_thread()
            return
        try:
            if self._process is not None and self._process.is_alive():
                try:
                    self._jobs.put(None)
                    self._process.join(1)
                except (OSError, ValueError):
                    pass
            if self._process is not None:
                self._discard()
        finally:
            self._lock.release()
