"""Real speech: espeak-ng in the worker process writes WAV files that hold the right sound."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import replace
from pathlib import Path

import pytest

from bot.settings import VoiceSettings
from tests.voice.helpers import en_bounds, zh_bounds
from voice import wav
from voice.errors import SpeechError
from voice.player import Player
from voice.tts import Tts

ZH = "不要把验证码告诉任何人，银行不会向您要。"  # 19 characters to say
EN = "Never tell anyone your verification code, the bank will never ask for it."


def test_chinese_renders_to_a_valid_wav_of_plausible_length(tts: Tts, tmp_path: Path) -> None:
    info = tts.render(ZH, tmp_path / "zh.wav")
    again = wav.check(tmp_path / "zh.wav")
    assert again == info
    assert info.rms > 10 * wav.RMS_FLOOR
    low, high = zh_bounds(19, tts.settings.rate)
    assert low <= info.duration <= high, (low, info.duration, high)


def test_english_renders_to_a_valid_wav_of_plausible_length(tts: Tts, tmp_path: Path) -> None:
    info = tts.render(EN, tmp_path / "en.wav")
    low, high = en_bounds(len(EN.split()), tts.settings.rate)
    assert low <= info.duration <= high, (low, info.duration, high)


def test_duration_follows_the_configured_rate(voice: VoiceSettings, tmp_path: Path) -> None:
    durations = {}
    for rate in (120, 240):
        with Tts(replace(voice, rate=rate)) as tts:
            durations[rate] = tts.render(ZH, tmp_path / f"{rate}.wav").duration
            low, high = zh_bounds(19, rate)
            assert low <= durations[rate] <= high
    assert durations[240] < 0.75 * durations[120]


def test_chinese_is_spoken_with_the_mandarin_voice(tts: Tts, tmp_path: Path) -> None:
    info = tts.start()
    assert "cmn" in info.voices["zh"], info.voices
    assert "cmn" not in info.voices["en"]
    mandarin = tts.render(ZH, tmp_path / "zh.wav")
    # the same characters through the English voice come out as a long list of "Chinese letter"s
    english = tts.render(ZH, tmp_path / "zh-en.wav", lang="en")
    assert english.duration > 1.5 * mandarin.duration
    assert (tmp_path / "zh.wav").read_bytes() != (tmp_path / "zh-en.wav").read_bytes()


def test_a_long_answer_is_rendered_sentence_by_sentence(tts: Tts, tmp_path: Path) -> None:
    text = "公检法不会打电话办案。没有安全账户！接到这种电话怎么办？马上挂断，拨打110。"
    chunks = ["公检法不会打电话办案。", "没有安全账户！", "接到这种电话怎么办？", "马上挂断，拨打110。"]
    assert tts.chunks(text) == chunks
    info = tts.render(text, tmp_path / "long.wav")
    parts = [wav.check(tts.chunk_wav(chunk, "zh")) for chunk in tts.chunks(text)]
    assert info.duration == pytest.approx(sum(p.duration for p in parts), abs=0.01)
    assert tts.engine.jobs == 4


def test_a_cached_text_plays_without_synthesis(voice: VoiceSettings, tmp_path: Path) -> None:
    with Tts(voice) as tts:
        first = tts.render(ZH, tmp_path / "a.wav")
        jobs = tts.engine.jobs
        again = tts.render(ZH, tmp_path / "b.wav")
        assert tts.engine.jobs == jobs
        assert tts.cache.hits >= 1
        assert again.duration == first.duration
    # another process's kiosk, same cache: not even a worker is started
    with Tts(voice) as fresh:
        fresh.render(ZH, tmp_path / "c.wav")
        assert fresh.engine.jobs == 0
        assert fresh.engine.pid is None
    # another rate is another sound: synthesised again
    with Tts(replace(voice, rate=voice.rate + 40)) as faster:
        faster.render(ZH, tmp_path / "d.wav")
        assert faster.engine.jobs == 1


def test_the_worker_is_restarted_after_being_killed(tts: Tts, tmp_path: Path) -> None:
    tts.render("第一句话。", tmp_path / "1.wav")
    pid = tts.engine.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    wav.check(tts.render("第二句话。", tmp_path / "2.wav").path)
    assert tts.engine.pid not in (None, pid)
    assert tts.engine.restarts == 1


def test_a_worker_that_stops_answering_is_killed_and_replaced(voice: VoiceSettings, tmp_path: Path) -> None:
    with Tts(replace(voice, timeout_seconds=1.0)) as tts:
        tts.start()
        stuck = tts.engine.pid
        assert stuck is not None
        os.kill(stuck, signal.SIGSTOP)  # alive but silent: what a hung runAndWait looks like
        started = time.monotonic()
        with pytest.raises(SpeechError, match="did not answer"):
            tts.render("卡住了。", tmp_path / "stuck.wav")
        assert time.monotonic() - started < 3
        assert tts.render("又好了。", tmp_path / "ok.wav").duration > 0
        assert tts.engine.pid != stuck


def test_speak_returns_at_once_and_plays_every_chunk(tts: Tts) -> None:
    started = time.monotonic()
    utterance = tts.speak("第一句。第二句。")
    assert time.monotonic() - started < 0.05
    assert utterance.wait(30)
    assert utterance.ok
    assert len(utterance.played) == 2
    assert utterance.first_audio_at is not None


@pytest.fixture
def slow_player(tmp_path: Path) -> Player:
    """A loudspeaker stand-in that takes 5 seconds per file (the machine may have no sound card)."""
    script = tmp_path / "play.sh"
    script.write_text("#!/bin/sh\nexec sleep 5\n")
    script.chmod(0o755)
    return Player(str(script))


def test_interrupt_stops_the_current_chunk_and_drops_the_rest(voice: VoiceSettings, slow_player: Player) -> None:
    with Tts(voice, player=slow_player) as tts:
        first = tts.speak("第一句。第二句。第三句。")
        queued = tts.speak("后面的话。")
        deadline = time.monotonic() + 30
        while not first.played and time.monotonic() < deadline:
            time.sleep(0.01)
        assert tts.busy
        started = time.monotonic()
        tts.interrupt()
        assert first.wait(2) and queued.wait(2)
        assert time.monotonic() - started < 1
        assert first.cancelled and queued.cancelled
        assert len(first.played) == 1 and not queued.played
        assert not tts.busy
        after = tts.speak("新的问题。")
        deadline = time.monotonic() + 30
        while not after.played and time.monotonic() < deadline:
            time.sleep(0.01)
        assert after.played


def test_a_failed_utterance_is_reported_not_raised(tts: Tts) -> None:
    failed = tts.speak("……")
    assert failed.wait(5)
    assert failed.error and "nothing to say" in failed.error
    assert tts.speak("还能说话。").wait(30)
