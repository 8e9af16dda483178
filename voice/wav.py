"""WAV files: check that one holds sound, measure it, join several into one."""

from __future__ import annotations

import math
import os
import sys
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path

from voice.errors import SpeechError

# Below this root-mean-square level (of full scale) a file counts as silent: about -54 dBFS,
# far under any speech and above the dither of an empty render.
RMS_FLOOR = 0.002
_TYPECODES = {1: "B", 2: "h", 4: "i"}


@dataclass(frozen=True)
class WavInfo:
    path: Path
    duration: float  # seconds
    rms: float  # root mean square, 0..1 of full scale
    rate: int
    channels: int
    sample_width: int


def _rms(frames: bytes, width: int) -> float:
    """Root mean square of PCM samples, as a fraction of full scale (every 4th sample: fast enough)."""
    if width == 3:  # no array type for 24-bit: keep the high two bytes of each sample
        frames = b"".join(frames[i + 1 : i + 3] for i in range(0, len(frames) - 2, 3))
        width = 2
    samples = array(_TYPECODES[width], frames[: len(frames) - len(frames) % width])
    if width > 1 and sys.byteorder == "big":
        samples.byteswap()
    picked = samples[::4]
    if not picked:
        return 0.0
    offset = 128 if width == 1 else 0  # 8-bit WAV is unsigned
    full = float(1 << (8 * width - 1))
    return math.sqrt(sum((s - offset) ** 2 for s in picked) / len(picked)) / full


def inspect(path: Path) -> WavInfo:
    """Duration and loudness of a WAV file; SpeechError when it is missing or not a WAV."""
    if not path.is_file():
        raise SpeechError(f"{path}: the speech engine wrote no file")
    try:
        with wave.open(str(path), "rb") as w:
            width, rate, channels = w.getsampwidth(), w.getframerate(), w.getnchannels()
            frames = w.readframes(w.getnframes())
    except (wave.Error, EOFError, OSError) as exc:
        raise SpeechError(f"{path}: not a valid WAV file ({exc})") from None
    if width not in (1, 2, 3, 4) or rate <= 0:
        raise SpeechError(f"{path}: unsupported WAV format ({width} bytes per sample, {rate} Hz)")
    count = len(frames) // (width * channels)
    return WavInfo(path, count / rate, _rms(frames, width), rate, channels, width)


def check(path: Path, floor: float = RMS_FLOOR) -> WavInfo:
    """`inspect`, and SpeechError unless the file holds audible sound."""
    info = inspect(path)
    if info.duration <= 0:
        raise SpeechError(f"{path}: the speech engine wrote an empty file")
    if info.rms < floor:
        raise SpeechError(f"{path}: the speech engine wrote silence (RMS {info.rms:.5f} < {floor})")
    return info


def join(parts: list[Path], out: Path) -> WavInfo:
    """Write the WAV files `parts` one after the other into `out` (atomically); they must share a format."""
    if not parts:
        raise SpeechError("nothing to join: no WAV parts")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with wave.open(str(tmp), "wb") as dst:
            params = None
            for part in parts:
                with wave.open(str(part), "rb") as src:
                    mine = (src.getnchannels(), src.getsampwidth(), src.getframerate())
                    if params is None:
                        params = mine
                        dst.setnchannels(mine[0])
                        dst.setsampwidth(mine[1])
                        dst.setframerate(mine[2])
                    elif mine != params:
                        raise SpeechError(f"{part}: format {mine} differs from {params}: cannot join")
                    dst.writeframes(src.readframes(src.getnframes()))
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return inspect(out)
