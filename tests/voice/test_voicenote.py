"""Voice notes: the kiosk's real espeak-ng speech as OGG/Opus at 48 kHz, a pause between
sentences, one loudness with headroom, cached by text and voice."""

from __future__ import annotations

import numpy as np
import soundfile

from bot.settings import VoiceSettings
from voice.tts import Tts
from voice.voicenote import PAUSE_SECONDS, RATE, VoiceNotes, normalise

QUIET = 10 ** (-50 / 20)  # below -50 dBFS: a pause, not speech


def silences(samples: np.ndarray, rate: int, at_least: float) -> list[float]:
    """The lengths (seconds) of the quiet stretches inside `samples` of at least `at_least` s,
    measured on 10 ms windows."""
    window = rate // 100
    levels = np.abs(samples[: len(samples) // window * window]).reshape(-1, window).max(axis=1)
    runs, current = [], 0
    for quiet in levels < QUIET:
        if quiet:
            current += 1
        elif current:
            runs.append(current / 100)
            current = 0
    first_sound = int(np.argmax(levels >= QUIET))
    inner = runs[1:] if first_sound > 0 else runs  # a silence before the first word is no pause
    return [r for r in inner if r >= at_least]


def test_a_note_is_ogg_opus_at_48_khz_with_headroom_and_pauses(tts: Tts, voice: VoiceSettings) -> None:
    notes = VoiceNotes(voice, tts)
    path = notes.ogg("不要转账。不要点链接。挂断电话。", "zh")
    info = soundfile.info(path)
    assert (info.format, info.subtype, info.samplerate, info.channels) == ("OGG", "OPUS", RATE, 1)
    samples, rate = soundfile.read(path, dtype="float32")
    assert 1.0 < len(samples) / rate < 10.0
    peak_db = 20 * np.log10(np.max(np.abs(samples)))
    assert -4.5 < peak_db < -2.0  # normalised to -3 dBFS; Opus's decoder wanders a little
    pauses = silences(samples, rate, 0.1)
    assert len(pauses) == 2, pauses  # one between each two of the three sentences, ours: espeak-ng's own trimmed
    assert all(abs(p - PAUSE_SECONDS) < 0.08 for p in pauses), pauses


def test_a_note_is_made_once_per_text_and_voice(tts: Tts, voice: VoiceSettings) -> None:
    notes = VoiceNotes(voice, tts)
    first = notes.ogg("不要转账。", "zh")
    jobs = tts.engine.jobs
    assert notes.ogg("不要转账。", "zh") == first
    assert (notes.rendered, tts.engine.jobs) == (1, jobs)  # from the cache: nothing spoken, nothing encoded
    assert notes.ogg("Do not pay.", "en") != first
    assert first.parent.parent == voice.cache_dir / "voice-notes"


def test_loud_speech_comes_down_to_talking_level() -> None:
    loud = np.sin(np.linspace(0, 200 * np.pi, 48000)).astype(np.float32)  # peak 0 dBFS, RMS -3 dBFS
    out = normalise(loud)
    assert abs(20 * np.log10(np.sqrt(np.mean(np.square(out)))) - -20.0) < 0.01


def test_peaky_speech_stops_at_the_headroom() -> None:
    peaky = np.zeros(48000, dtype=np.float32)
    peaky[::480] = 1.0  # clicks: a crest far above speech's, so the peak, not the level, sets the gain
    out = normalise(peaky)
    assert abs(20 * np.log10(np.max(np.abs(out))) - -3.0) < 0.01


def test_quiet_speech_is_brought_up_to_talking_level_without_passing_the_headroom() -> None:
    quiet = 0.01 * np.sin(np.linspace(0, 200 * np.pi, 48000)).astype(np.float32)
    out = normalise(quiet)
    rms_db = 20 * np.log10(np.sqrt(np.mean(np.square(out))))
    assert abs(rms_db - -20.0) < 0.01
    assert np.max(np.abs(out)) < 10 ** (-3 / 20)
    spiky = np.zeros(48000, dtype=np.float32)
    spiky[100] = 0.05  # one click and silence: the click may not be raised past the headroom
    assert abs(np.max(np.abs(normalise(spiky))) - 10 ** (-3 / 20)) < 1e-6
