"""How long a "🔊 Listen" voice note takes to make, and its size.

Run by hand: `.venv/bin/python benchmarks/voicenote.py`. It makes the Chinese voice note of each
answer of faq/fraud_online.yaml (its `speech`, as the button does) into a fresh cache, then
again from the cache, and prints the speech worker's start, the medians and the bitrate.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import soundfile
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.settings import PROJECT_ROOT, load_settings  # noqa: E402
from voice.voicenote import VoiceNotes  # noqa: E402


def main() -> None:
    settings = load_settings(PROJECT_ROOT / "config.yaml", env={})
    raw = yaml.safe_load((PROJECT_ROOT / "faq" / "fraud_online.yaml").read_text(encoding="utf-8"))
    texts = [intent["speech"]["zh"] for intent in raw["intents"]]
    with tempfile.TemporaryDirectory() as cache:
        voice = replace(settings.voice, cache_dir=Path(cache), player="none")
        with VoiceNotes(voice) as notes:
            start = time.perf_counter()
            notes.tts.start()
            print(f"speech worker start: {time.perf_counter() - start:.2f} s")
            made, cached, sizes, seconds = [], [], [], []
            for text in texts:
                start = time.perf_counter()
                path = notes.ogg(text, "zh")
                made.append(time.perf_counter() - start)
                start = time.perf_counter()
                notes.ogg(text, "zh")
                cached.append(time.perf_counter() - start)
                sizes.append(path.stat().st_size)
                seconds.append(soundfile.info(path).duration)
    print(f"{len(texts)} answers, speech {statistics.median(seconds):.1f} s each (median)")
    print(f"made: median {statistics.median(made):.2f} s, max {max(made):.2f} s")
    print(f"from the cache: median {1000 * statistics.median(cached):.2f} ms")
    print(f"size: median {statistics.median(sizes) / 1024:.1f} kB, {8 * sum(sizes) / sum(seconds) / 1000:.1f} kbit/s")


if __name__ == "__main__":
    main()
