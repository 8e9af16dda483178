"""How fast the kiosk starts talking: typed question to first audio, cached and uncached; synthesis speed.

Run by hand: `.venv/bin/python benchmarks/kiosk.py [--questions N]`. Prints one table.
"First audio" is the moment the first chunk's WAV is ready to play, measured through the
kiosk's own path (match, print, queue, render or cache, speaker thread) with a warm worker.
The questions are each intent's first example, in Chinese and English; the cache starts empty.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot import localtime  # noqa: E402
from bot.core import language  # noqa: E402
from bot.services import Knowledge  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from voice.kiosk import Kiosk  # noqa: E402
from voice.playlist import load_playlist  # noqa: E402
from voice.tts import Tts  # noqa: E402

TARGETS = {"cached": 0.300, "uncached": 1.000}  # seconds from the typed question to the first audio


class NoInput:
    """The benchmark types its questions itself."""

    def get(self, timeout: float) -> str | None:
        return None


def questions(knowledge: Knowledge, count: int) -> list[str]:
    """Each intent's first Chinese and first English example, up to `count` of each language."""
    zh, en = [], []
    for intent in knowledge.faq.intents.values():
        by_lang = {language.detect(text): text for text in reversed(intent.examples)}
        zh += [by_lang["zh"]] if "zh" in by_lang else []
        en += [by_lang["en"]] if "en" in by_lang else []
    return zh[:count] + en[:count]


def first_audio(kiosk: Kiosk, question: str) -> float:
    """Seconds from typing `question` to its first chunk's WAV being ready."""
    started = time.monotonic()
    said = kiosk.answer(question)
    if not said.utterance.wait(60) or said.utterance.first_audio_at is None:
        raise RuntimeError(f"no audio for {question!r}: {said.utterance.error}")
    return said.utterance.first_audio_at - started


def row(name: str, seconds: list[float], target: float | None) -> str:
    p50, p95 = statistics.median(seconds), sorted(seconds)[max(0, round(0.95 * len(seconds)) - 1)]
    verdict = "" if target is None else ("ok" if p95 <= target else "SLOW")
    goal = "" if target is None else f"<= {target * 1000:.0f} ms"
    ms = [f"{v * 1000:>7.1f}" for v in (p50, p95, max(seconds))]
    return f"| {name:<29} | {len(seconds):>3} | {' | '.join(ms)} | {goal:<10} | {verdict:<4} |"


def synthesis_speed(tts: Tts, texts: list[tuple[str, str]], out: Path) -> tuple[float, float]:
    """(seconds of audio, seconds of wall time) rendering `texts` with an empty cache."""
    audio = 0.0
    started = time.monotonic()
    for i, (text, lang) in enumerate(texts):
        audio += tts.render(text, out / f"{i}.wav", lang).duration
    return audio, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=20, help="questions per language")
    args = parser.parse_args()
    settings = load_settings()
    knowledge = Knowledge.load(settings)
    playlist = load_playlist(settings.faq.dir, knowledge.faq.intents)
    asked = questions(knowledge, args.questions)
    with tempfile.TemporaryDirectory() as tmp:
        voice = replace(settings.voice, cache_dir=Path(tmp) / "cache", player="none")
        with Tts(voice) as tts:
            started = time.monotonic()
            info = tts.start()
            cold = time.monotonic() - started
            kiosk = Kiosk(tts, knowledge, playlist, settings.kiosk, zone=localtime.zone(settings), inputs=NoInput(),
                          out=io.StringIO())
            uncached = []
            for question in asked:
                jobs = tts.engine.jobs
                seconds = first_audio(kiosk, question)
                if tts.engine.jobs > jobs:  # a fallback or a shared answer may be cached already
                    uncached.append(seconds)
            cached = [first_audio(kiosk, q) for q in asked]
            texts = [(w.text.get(lang), lang) for w in playlist.warnings for lang in ("zh", "en")]
            audio, wall = synthesis_speed(replace_cache(tts, Path(tmp) / "cache2"), texts, Path(tmp) / "out")
    print(f"kiosk speech: {info.driver}, voices {dict(info.voices)}, rate {voice.rate} wpm, "
          f"{len(asked)} questions (zh + en)")
    print("| typed question -> first audio | n   | p50 ms  | p95 ms  | max ms  | target     |      |")
    print("|-------------------------------|-----|---------|---------|---------|------------|------|")
    print(row("uncached (synthesis)", uncached, TARGETS["uncached"]))
    print(row("cached", cached, TARGETS["cached"]))
    print(row("worker cold start", [cold], None))
    print(f"\nsynthesis speed: {audio:.1f} s of audio in {wall:.2f} s = {audio / wall:.0f} s of audio per second "
          f"({len(texts)} warnings, zh + en, cache empty)")
    return 0 if max(uncached) <= TARGETS["uncached"] and max(cached) <= TARGETS["cached"] else 1


def replace_cache(tts: Tts, directory: Path) -> Tts:
    """The same engine with an empty cache, so every warning is synthesised."""
    from voice.cache import SpeechCache

    tts.cache = SpeechCache(directory)
    return tts


if __name__ == "__main__":
    sys.exit(main())
