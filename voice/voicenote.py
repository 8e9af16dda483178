"""Speech as a Telegram voice note: the kiosk's voice, encoded as OGG/Opus.

Telegram shows only OGG/Opus as a voice note (WAV is refused, MP3 arrives as a music file).
libsndfile (through soundfile) writes Opus; Opus takes 8, 12, 16, 24 or 48 kHz and espeak-ng
speaks at 22.05 kHz, so each sentence is resampled to 48 kHz mono with libsoxr (soxr). The
sentences come from the kiosk's own cache of WAV chunks (voice.tts), joined with a pause, and the
whole is brought to one loudness with headroom: espeak-ng's chunks of one answer peaked from
-2.7 to -0.05 dBFS (fraud.general_tips), and a note at full scale clips once a phone's decoder
or player adds gain.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from pathlib import Path
from types import TracebackType

import numpy as np
import soundfile
import soxr

from bot.settings import VoiceSettings
from voice.errors import SpeechError
from voice.tts import Tts

log = logging.getLogger(__name__)

RATE = 48000  # Opus's own rate: anything else is resampled by the decoder anyway
# Between two sentences. Each chunk's own silence is trimmed first: espeak-ng ends a sentence with
# 0.34 s of it (and starts with 0.01-0.04 s), SAPI5 with another amount; the pause is then ours.
PAUSE_SECONDS = 0.3
QUIET_DBFS = -50.0  # quieter than this at a chunk's ends is silence
PEAK_DBFS = -3.0  # headroom: no sample louder than this
RMS_DBFS = -20.0  # the loudness aimed at, when the peak allows it (speech at -20 dBFS RMS is a plain talking level)
# libsndfile's Opus "compression level" sets the bitrate, from 256 kbit/s (0) down to 6 (1), in a
# line; measured on an answer's speech: 0.7 -> 83 kbit/s, 0.9 -> 32 (a clear voice; Telegram's own
# voice notes are about that), 1.0 -> 7
COMPRESSION = 0.9


def normalise(samples: np.ndarray, peak_dbfs: float = PEAK_DBFS, rms_dbfs: float = RMS_DBFS) -> np.ndarray:
    """One gain for the whole note: towards `rms_dbfs`, but never past a peak of `peak_dbfs`."""
    samples = samples.astype(np.float32, copy=False)
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if peak <= 0.0:
        return samples
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    gain = min(10 ** (rms_dbfs / 20) / rms, 10 ** (peak_dbfs / 20) / peak)
    return (samples * gain).astype(np.float32)


def mono(samples: np.ndarray) -> np.ndarray:
    return samples.mean(axis=1) if samples.ndim == 2 else samples


def trim(samples: np.ndarray, quiet_dbfs: float = QUIET_DBFS) -> np.ndarray:
    """`samples` without the silence at either end."""
    loud = np.flatnonzero(np.abs(samples) >= 10 ** (quiet_dbfs / 20))
    return samples[loud[0] : loud[-1] + 1] if loud.size else samples[:0]


class VoiceNotes:
    """OGG/Opus voice notes of texts, cached on disk by text and voice beside the kiosk's WAVs."""

    def __init__(self, settings: VoiceSettings, tts: Tts | None = None) -> None:
        self.settings = settings
        self.tts = tts or Tts(settings)
        self.directory = settings.cache_dir / "voice-notes"
        self.rendered = 0  # notes encoded (not from the cache): tests count them
        self._lock = threading.Lock()  # one note encoded at a time: the machine has few cores

    def key(self, text: str, lang: str) -> str:
        s = self.settings
        voice = {"zh": s.voice_zh, "en": s.voice_en}[lang]
        how = (RATE, COMPRESSION, PAUSE_SECONDS, QUIET_DBFS, PEAK_DBFS, RMS_DBFS, voice, s.rate, f"{s.volume:.3f}")
        raw = "\x1f".join(["ogg-opus", *map(str, how), text])
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    def path(self, text: str, lang: str) -> Path:
        key = self.key(text, lang)
        return self.directory / key[:2] / f"{key}.ogg"

    def ogg(self, text: str, lang: str) -> Path:
        """The voice note of `text` in the voice of `lang`: from the cache, else spoken and encoded.
        SpeechError (voice.errors) when it cannot be spoken."""
        path = self.path(text, lang)
        if path.is_file() and path.stat().st_size > 0:
            with contextlib.suppress(OSError):
                os.utime(path)
            return path
        with self._lock:
            if path.is_file() and path.stat().st_size > 0:  # another thread made it meanwhile
                return path
            samples = self.samples(text, lang)
            path.parent.mkdir(parents=True, exist_ok=True)
            scratch = path.with_name(f".{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp.ogg")
            try:
                soundfile.write(scratch, samples, RATE, format="OGG", subtype="OPUS", compression_level=COMPRESSION)
                os.replace(scratch, path)  # atomic: a reader never sees half a note
            finally:
                scratch.unlink(missing_ok=True)
            self.rendered += 1
            size = path.stat().st_size
            log.info("voice note of %d characters: %.1f s, %d bytes", len(text), len(samples) / RATE, size)
            return path

    def samples(self, text: str, lang: str) -> np.ndarray:
        """`text` spoken sentence by sentence at 48 kHz mono, a pause between sentences, normalised."""
        pause = np.zeros(int(PAUSE_SECONDS * RATE), dtype=np.float32)
        parts: list[np.ndarray] = []
        for chunk in self.tts.chunks(text):
            wav = self.tts.chunk_wav(chunk, lang)
            data, rate = soundfile.read(wav, dtype="float32", always_2d=False)
            data = trim(mono(data))
            if rate != RATE:
                data = soxr.resample(data, rate, RATE)
            if parts:
                parts.append(pause)
            parts.append(data.astype(np.float32, copy=False))
        if not parts:
            raise SpeechError(f"nothing to say in {text!r}")
        return normalise(np.concatenate(parts))

    def close(self) -> None:
        """Stop the speech worker."""
        self.tts.close()

    def __enter__(self) -> VoiceNotes:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
