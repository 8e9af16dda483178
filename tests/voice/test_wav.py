"""The checks that catch an engine that returned without writing sound."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

import pytest

from voice import wav
from voice.errors import SpeechError


def write(path: Path, samples: list[int], rate: int = 22050) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return path


def tone(seconds: float, rate: int = 22050) -> list[int]:
    return [int(8000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(int(seconds * rate))]


def test_a_tone_passes_and_is_measured(tmp_path: Path) -> None:
    info = wav.check(write(tmp_path / "a.wav", tone(0.5)))
    assert info.duration == pytest.approx(0.5, abs=0.001)
    assert info.rms == pytest.approx(8000 / 32768 / math.sqrt(2), rel=0.05)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "wrote no file"),
        (b"RIFF....not a wave at all", "not a valid WAV"),
        ([], "empty file"),
        ([0] * 22050, "silence"),
        ([3, -2] * 11025, "silence"),
    ],
)
def test_missing_broken_empty_or_silent_files_are_refused(tmp_path: Path, content: object, message: str) -> None:
    path = tmp_path / "x.wav"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, list):
        write(path, content)
    with pytest.raises(SpeechError, match=message):
        wav.check(path)


def test_join_puts_parts_end_to_end(tmp_path: Path) -> None:
    a = write(tmp_path / "a.wav", tone(0.25))
    b = write(tmp_path / "b.wav", tone(0.5))
    info = wav.join([a, b], tmp_path / "out" / "ab.wav")
    assert info.duration == pytest.approx(0.75, abs=0.001)
    other = write(tmp_path / "c.wav", tone(0.1, 16000), 16000)
    with pytest.raises(SpeechError, match="differs"):
        wav.join([a, other], tmp_path / "ac.wav")
    assert not (tmp_path / "ac.wav").exists()
