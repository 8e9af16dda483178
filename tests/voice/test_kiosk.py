"""The kiosk loop in fake time with real speech: warnings, answers, quiet hours, failures, alerts."""

from __future__ import annotations

import io
import os
import signal
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.services import Knowledge
from bot.settings import KioskSettings, Settings, VoiceSettings
from tests.voice.helpers import STATION, FakeClock, ScriptedInputs, local, zh_bounds
from voice import wav
from voice.alerts import Alert, AlertFeed, from_list
from voice.kiosk import Kiosk
from voice.playlist import Playlist, load_playlist
from voice.tts import Tts

QUESTION = "有人让我转账到安全账户"


@pytest.fixture(scope="module")
def playlist(knowledge: Knowledge, settings: Settings) -> Playlist:
    return load_playlist(settings.faq.dir, knowledge.faq.intents)


def kiosk_settings(**changes: object) -> KioskSettings:
    base = KioskSettings(interval_seconds=300, idle_seconds=60, quiet_hours=(), languages=("zh", "en"))
    return replace(base, **changes)  # type: ignore[arg-type]


def make(
    tts: Tts,
    knowledge: Knowledge,
    playlist: Playlist,
    settings: KioskSettings,
    clock: FakeClock,
    script: list[tuple[float, str]],
    **kwargs: object,
) -> tuple[Kiosk, io.StringIO]:
    out = io.StringIO()
    inputs = ScriptedInputs(clock, script, ready=lambda: not tts.busy)
    kiosk = Kiosk(tts, knowledge, playlist, settings, zone=STATION, clock=clock, inputs=inputs, out=out, **kwargs)  # type: ignore[arg-type]
    return kiosk, out


def settle(kiosk: Kiosk, tts: Tts) -> None:
    """Let the last utterances finish (real time) so their outcome is known."""
    for said in kiosk.history:
        assert said.utterance.wait(60)


def test_warnings_on_schedule_and_a_spoken_answer_to_a_visitor(
    tts: Tts, knowledge: Knowledge, playlist: Playlist
) -> None:
    clock = FakeClock(local(12))
    kiosk, out = make(tts, knowledge, playlist, kiosk_settings(), clock, [(10, QUESTION)], tick=1.0)
    kiosk.run(until=lambda: clock.t >= 400)
    settle(kiosk, tts)
    kinds = [(s.kind, s.at) for s in kiosk.history]
    assert kinds[0][0] == "warning" and kinds[0][1] <= 1
    assert kinds[1] == ("answer", 10)
    # the next warning waits for the interval, and for the visitor to be idle for 60 s
    assert [at for kind, at in kinds[2:] if kind == "warning"][0] >= 300
    answer = kiosk.history[1]
    assert answer.key == "fraud.impersonate_police" and answer.lang == "zh" and answer.ok
    assert answer.text == knowledge.faq["fraud.impersonate_police"].speech.zh
    assert knowledge.faq["fraud.impersonate_police"].answer.zh in out.getvalue()
    # the speech really was rendered: every chunk a WAV that holds sound
    total = sum(wav.check(path).duration for path in answer.utterance.played)
    low, high = zh_bounds(len(answer.text), tts.settings.rate)
    assert low <= total <= high
    assert all(s.ok for s in kiosk.history)


def test_an_unknown_question_gets_the_spoken_fallback(tts: Tts, knowledge: Knowledge, playlist: Playlist) -> None:
    clock = FakeClock(local(12))
    kiosk, out = make(tts, knowledge, playlist, kiosk_settings(), clock, [(5, "what is the weather like tomorrow")])
    kiosk.run(until=lambda: clock.t >= 10)
    settle(kiosk, tts)
    fallback = next(s for s in kiosk.history if s.kind == "fallback")
    assert fallback.lang == "en" and fallback.ok
    assert fallback.text == playlist.message("kiosk.fallback", "en")
    assert playlist.message("kiosk.fallback", "en") in out.getvalue()


def test_quiet_hours_silence_warnings_but_not_answers(tts: Tts, knowledge: Knowledge, playlist: Playlist) -> None:
    clock = FakeClock(local(21, 50))  # quiet from 22:00 to 07:00
    settings = kiosk_settings(quiet_hours=("22:00", "07:00"), interval_seconds=300)
    kiosk, _ = make(tts, knowledge, playlist, settings, clock, [(3600, "How do I report a scam call?")], tick=60.0)
    kiosk.run(until=lambda: clock.now() >= local(7, 30) + timedelta(days=1))
    settle(kiosk, tts)
    warnings = [clock.start + timedelta(seconds=s.at) for s in kiosk.history if s.kind == "warning"]
    night_start, morning = local(22), local(7) + timedelta(days=1)
    assert warnings and warnings[0] < night_start  # said before the quiet hours
    assert not [w for w in warnings if night_start <= w < morning]
    assert [w for w in warnings if w >= morning]  # and again in the morning
    answer = next(s for s in kiosk.history if s.kind in ("answer", "fallback"))
    assert answer.ok and answer.at == 3600  # 22:50: answered aloud all the same


def test_one_failed_utterance_is_logged_and_the_loop_goes_on(
    voice: VoiceSettings, knowledge: Knowledge, playlist: Playlist, caplog: pytest.LogCaptureFixture
) -> None:
    with Tts(replace(voice, timeout_seconds=1.0)) as tts:
        tts.start()
        pid = tts.engine.pid
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)  # the engine hangs during the first warning
        clock = FakeClock(local(12))
        kiosk, _ = make(tts, knowledge, playlist, kiosk_settings(interval_seconds=30, idle_seconds=5), clock,
                        [(20, QUESTION)])
        kiosk.run(until=lambda: clock.t >= 120)
        settle(kiosk, tts)
    first, answer = kiosk.history[0], kiosk.history[1]
    assert answer.at == 20
    assert first.kind == "warning" and first.utterance.error and "did not answer" in first.utterance.error
    assert answer.kind == "answer" and answer.ok
    assert any(s.kind == "warning" and s.ok for s in list(kiosk.history)[2:])
    assert "kiosk warning not said" in caplog.text


def test_an_officers_alert_is_said_first_and_counted(tts: Tts, knowledge: Knowledge, playlist: Playlist) -> None:
    clock = FakeClock(local(12))
    alert = Alert("3", "今天有人冒充电力公司上门收费，请不要给钱。", "zh", clock.now() + timedelta(days=7))
    counted: list[Alert] = []
    feed = AlertFeed(from_list([alert]), poll_seconds=30, mark_spoken=counted.append)
    kiosk, out = make(tts, knowledge, playlist, kiosk_settings(interval_seconds=10, idle_seconds=1), clock, [],
                      alerts=feed)
    kiosk.run(until=lambda: clock.t >= 35)
    settle(kiosk, tts)
    kiosk.step()  # collects the finished utterances
    first = kiosk.history[0]
    assert first.kind == "alert" and first.ok
    assert first.text == playlist.message("kiosk.alert_lead", "zh") + alert.text
    assert counted and counted[0] == alert
    assert [s.kind for s in list(kiosk.history)[1:3]] == ["warning", "warning"]
    assert alert.text in out.getvalue()


def test_a_question_interrupts_the_warning_being_said(
    voice: VoiceSettings, knowledge: Knowledge, playlist: Playlist, tmp_path: Path
) -> None:
    from voice.player import Player

    script = tmp_path / "play.sh"
    script.write_text("#!/bin/sh\nexec sleep 5\n")
    script.chmod(0o755)
    with Tts(voice, player=Player(str(script))) as tts:
        clock = FakeClock(local(12))
        kiosk, _ = make(tts, knowledge, playlist, kiosk_settings(), clock, [])
        playing = lambda: bool(kiosk.history) and bool(kiosk.history[0].utterance.played)  # noqa: E731
        kiosk.inputs = ScriptedInputs(clock, [(1, QUESTION)], ready=playing)
        kiosk.run(until=lambda: len(kiosk.history) >= 2)
        warning, answer = kiosk.history[0], kiosk.history[1]
        assert warning.utterance.wait(2) and warning.utterance.cancelled
        assert answer.kind == "answer"
        tts.interrupt()
