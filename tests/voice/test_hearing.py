"""The recogniser's guard rails: what Whisper makes up from noise is not trusted, and a model
that is not the pinned one is refused."""

from __future__ import annotations

import io
import logging

import numpy as np
import pytest
import soundfile

from voice import hearing
from voice.hearing import Hearing, HearingError, judge

SURE = -0.3  # mean log-probability of a transcript the decoder is sure of (exp: 0.74)


@pytest.mark.parametrize(
    ("text", "logprob", "why"),
    [
        ("我想给小孩上户口，应该怎么办？", SURE, ""),
        ("", SURE, "empty"),
        ("。，", SURE, "empty"),
        ("以下是普通话的句子。", SURE, "the prompt said back"),
        ("以下是普通的句子", SURE, "the prompt said back"),
        ("1 2 3 4 5 6 7 8", SURE, "digits"),
        ("１２３４５６７８９", SURE, "digits"),
        ("Thank you for watching!", SURE, "no Chinese"),
        ("嗯", SURE, "no Chinese"),
        ("哭哭哭哭哭哭哭哭哭", SURE, "repeats"),
        ("万山都不能牵马。", -1.1, "low confidence"),
    ],
)
def test_what_whisper_makes_up_is_not_trusted(text: str, logprob: float, why: str) -> None:
    assert judge(text, logprob) == why


def test_no_speech_and_repetition_by_the_decoders_own_measures() -> None:
    assert judge("我被骗了怎么办", -1.05, no_speech_prob=0.8) == "no speech"
    assert judge("我被骗了怎么办", SURE, compression=3.0) == "repeats"
    assert judge("我被骗了怎么办", SURE, no_speech_prob=0.8) == ""  # sure of what it heard


def test_a_phone_number_inside_a_question_is_not_a_digit_run() -> None:
    assert judge("我的电话是13812345678请民警回电话给我", SURE) == ""


needs_model = pytest.mark.skipif(not hearing.installed(), reason="the `hearing` extra is not installed")


def tone() -> bytes:
    t = np.arange(48000) / 48000
    out = io.BytesIO()
    soundfile.write(out, (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 48000, format="OGG", subtype="OPUS")
    return out.getvalue()


@needs_model
def test_the_installed_model_is_the_pinned_one() -> None:
    files = hearing.model_files()
    assert len(files["model.bin"]) == 145_217_532  # Systran/faster-whisper-base's model.bin
    assert set(files) == {"model.bin", "config.json", "tokenizer.json", "vocabulary.txt"}


@needs_model
def test_a_model_that_is_not_the_pinned_one_is_refused(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(hearing.SHA256, "model.bin", "0" * 64)  # as if a half had been replaced
    with pytest.raises(HearingError, match="model.bin has SHA-256 d01c3014.* not the pinned 0000"):
        hearing.model_files()
    ears = Hearing()
    with caplog.at_level(logging.ERROR, logger="voice.hearing"):
        assert ears.hear(tone()) is None
        assert ears.hear(tone()) is None  # not tried again
    assert not ears.usable
    [line] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "voice notes will not be heard" in line.getMessage() and "refused" in line.getMessage()


def test_not_installed_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hearing, "installed", lambda: False)
    with pytest.raises(HearingError, match=r"pip install 'cunjing\[hearing\]'"):
        hearing.model_files()
    assert not Hearing().usable


def test_a_note_longer_than_allowed_or_not_audio_is_not_heard() -> None:
    ears = Hearing(max_seconds=0.5)
    assert ears.hear(tone()) is None  # 1 s: longer than 0.5
    assert ears.hear(b"OggS" + bytes(60)) is None  # not audio libsndfile can read
