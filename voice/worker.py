"""The speech engine's own process: pyttsx3 lives here alone, fed jobs by a queue.

pyttsx3's `runAndWait` can hang or fall silent after the first utterance in a long-running
process, so the kiosk never calls it itself: the parent (voice.engine) sends `Job`s, waits for
each `Result` with a timeout, and kills and restarts this process when it stops answering.
This module imports only the standard library until `serve` runs in the child.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Languages a configured voice name may fall back to when no voice has that id or language.
LANG_CODES = {"zh": ("cmn", "zh"), "en": ("en",)}
_NAME_HINTS = {
    "zh": ("mandarin", "chinese", "huihui", "yaoyao", "kangkang", "tingting", "ting-ting"),
    "en": ("english", "zira", "david", "samantha", "alex", "daniel"),
}


@dataclass(frozen=True)
class VoiceInfo:
    id: str
    name: str
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Job:
    id: int
    text: str
    voice: str  # the engine's voice id
    rate: int
    volume: float
    path: str


@dataclass(frozen=True)
class Result:
    id: int
    ok: bool
    error: str = ""


@dataclass(frozen=True)
class Ready:
    ok: bool
    driver: str = ""
    voices: Mapping[str, str] = field(default_factory=dict)  # lang -> engine voice id
    error: str = ""
    no_engine: bool = False


def _norm(code: str) -> str:
    return code.lower().replace("_", "-")


def _tail(voice_id: str) -> str:
    """The last part of a voice id: `sit/cmn` -> `cmn`, a SAPI token path -> its last key."""
    return _norm(voice_id.replace("\\", "/").rsplit("/", 1)[-1])


def choose_voice(voices: Sequence[VoiceInfo], wanted: str, lang: str) -> str | None:
    """The id of the voice for `wanted` (an id, an id's tail or a language code), else one for `lang`."""
    want = _norm(wanted)
    tests = (
        lambda v: _norm(v.id) == want,
        lambda v: _tail(v.id) == want,
        lambda v: want in map(_norm, v.languages),
        lambda v: any(_norm(code).startswith(want + "-") for code in v.languages),
        lambda v: any(_norm(code).split("-")[0] in LANG_CODES.get(lang, ()) for code in v.languages),
        lambda v: any(hint in v.name.lower() for hint in _NAME_HINTS.get(lang, ())),
    )
    for test in tests:
        for voice in voices:
            if test(voice):
                return voice.id
    return None


def _engine() -> Any:
    """A pyttsx3 engine with the platform's default driver; NoEngine's message when there is none."""
    # imported here only: the parent process never loads a driver
    import pyttsx3

    engine = pyttsx3.init()
    driver: Any = getattr(getattr(engine, "proxy", None), "_driver", None)
    if getattr(engine, "driver_name", "") == "espeak" and driver is not None:
        # runAndWait calls the driver's stop() before each utterance; with espeak-ng that cancels
        # the rate and volume commands still queued in espeak's thread and, at times, the utterance
        # after them (an empty or cut file). This worker never interrupts a synthesis: skip it.
        driver.stop = lambda: None
    return engine


def _voices(engine: Any) -> list[VoiceInfo]:
    return [
        VoiceInfo(str(v.id), str(v.name or ""), tuple(str(code) for code in (v.languages or ()) if code))
        for v in engine.getProperty("voices") or []
    ]


def _to_wav(path: Path) -> None:
    """macOS writes AIFF whatever the file name says: convert it in place with afconvert."""
    with open(path, "rb") as f:
        if f.read(4) != b"FORM" or not shutil.which("afconvert"):
            return
    tmp = path.with_suffix(".aiff")
    os.replace(path, tmp)
    subprocess.run(["afconvert", "-f", "WAVE", "-d", "LEI16", str(tmp), str(path)], check=True, timeout=60)
    tmp.unlink(missing_ok=True)


def _run(engine: Any, done: threading.Event, job: Job, timeout: float) -> Result:
    """Synthesise one job into its file; the driver may return before writing, so wait for the event."""
    try:
        engine.setProperty("voice", job.voice)
        engine.setProperty("rate", job.rate)
        engine.setProperty("volume", job.volume)
        done.clear()
        engine.save_to_file(job.text, job.path)
        engine.runAndWait()
        if not done.wait(timeout):
            return Result(job.id, False, f"no end of utterance after {timeout:.0f} s")
        if Path(job.path).is_file():
            _to_wav(Path(job.path))
        return Result(job.id, True)
    except Exception as exc:  # any driver failure is this job's failure, not the worker's
        return Result(job.id, False, f"{type(exc).__name__}: {exc}")


def _finished(done: threading.Event, completed: bool) -> None:
    # espeak's driver also reports a cancelled utterance (completed=False) when the next job
    # starts, sometimes after the next job has begun: only a completed one means the file is written
    if completed:
        done.set()


def _ready(engine: Any, wanted: Mapping[str, str]) -> Ready:
    voices = _voices(engine)
    if not voices:
        return Ready(False, error="the speech engine has no voices", no_engine=True)
    chosen = {lang: choose_voice(voices, name, lang) for lang, name in wanted.items()}
    return Ready(True, str(getattr(engine, "driver_name", "")), {k: v for k, v in chosen.items() if v})


def serve(jobs: Any, results: Any, wanted: Mapping[str, str], timeout: float) -> None:
    """The worker's main: report the voices, then synthesise jobs until a None arrives."""
    # Ctrl-C reaches the whole process group: the parent stops this worker itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # the espeak driver prints a line for every file it saves
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    try:
        engine = _engine()
        done = threading.Event()
        engine.connect("finished-utterance", lambda completed=True, **_: _finished(done, completed))
        ready = _ready(engine, wanted)
    except Exception as exc:  # ImportError, the driver's RuntimeError or OSError: no engine
        results.put(Ready(False, error=f"{type(exc).__name__}: {exc}", no_engine=True))
        return
    results.put(ready)
    if not ready.ok:
        return
    parent = multiprocessing.parent_process()
    while True:
        try:
            job = jobs.get(timeout=1.0)
        except queue.Empty:
            # a parent killed without cleaning up (SIGKILL, power cut of the UI) must not leave us behind
            if parent is not None and not parent.is_alive():
                return
            continue
        if job is None:
            return
        results.put(_run(engine, done, job, timeout))
