"""`cunjing kiosk` in a subprocess, as an operator runs it: --say, --ask, --render, --alerts, Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import PROJECT_ROOT, DatabaseSettings
from bot.store import db
from tests.voice.helpers import zh_bounds
from voice import alert_store, wav
from voice.playlist import load_playlist


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of a kiosk with its own speech cache and database, no loudspeaker."""
    return {
        **os.environ,
        "CUNJING_VOICE__CACHE_DIR": str(tmp_path / "cache"),
        "CUNJING_VOICE__PLAYER": "none",
        "CUNJING_DATABASE__PATH": str(tmp_path / "kiosk.sqlite3"),
        "CUNJING_DATABASE__URL": "",
        "PYTHONPATH": str(PROJECT_ROOT),
    }


def kiosk(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "kiosk", *args],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )


def test_say_writes_a_spoken_file(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "say.wav"
    done = kiosk(env, "--say", "请不要相信陌生人的电话。", "--out", str(out))
    assert done.returncode == 0, done.stderr
    info = wav.check(out)
    low, high = zh_bounds(11, 160)
    assert low <= info.duration <= high
    assert f"{info.duration:.2f} s" in done.stdout


def test_ask_prints_the_intent_and_answer_and_speaks_the_speech(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "a.wav"
    done = kiosk(env, "--ask", "有人让我转账到安全账户", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("intent: fraud.impersonate_police")
    assert "安全账户" in done.stdout
    assert wav.check(out).duration > 3


def test_render_writes_every_warning_and_speech_with_an_index(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = kiosk(env, "--render", str(out))
    assert done.returncode == 0, done.stderr
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    from bot.services import Knowledge
    from bot.settings import load_settings

    knowledge = Knowledge.load(load_settings(PROJECT_ROOT / "config.yaml", env={}))
    warnings = load_playlist(PROJECT_ROOT / "faq", knowledge.faq.intents).warnings
    assert len(index) == 2 * (len(warnings) + len(knowledge.faq.intents)) + 2
    assert {e["lang"] for e in index} == {"zh", "en"}
    for entry in index:
        assert set(entry) == {"text", "lang", "intent", "file", "duration"}
        info = wav.check(out / entry["file"])
        assert entry["duration"] == pytest.approx(info.duration, abs=0.001)
        assert 0.5 < info.duration < 90
    warning = next(e for e in index if e["file"] == "warnings/safe_account.zh.wav")
    assert warning["intent"] == "fraud.impersonate_police" and warning["duration"] < 30
    # everything is cached now: a second render synthesises nothing, it only joins files
    again = kiosk(env, "--render", str(tmp_path / "again"))
    assert again.returncode == 0, again.stderr
    assert "(0 chunks synthesised" in again.stdout
    assert (tmp_path / "again" / "index.json").read_text(encoding="utf-8") == (out / "index.json").read_text(
        encoding="utf-8"
    )


def test_no_engine_says_what_to_install(env: dict[str, str], tmp_path: Path) -> None:
    # a pyttsx3 that cannot find its library, exactly as the real one fails without espeak-ng
    fake = tmp_path / "fake" / "pyttsx3"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "raise RuntimeError('This means you probably do not have eSpeak or eSpeak-ng installed!')\n"
    )
    env = {**env, "PYTHONPATH": f"{fake.parent}{os.pathsep}{PROJECT_ROOT}"}
    done = kiosk(env, "--say", "你好", "--out", str(tmp_path / "x.wav"))
    assert done.returncode == 1
    assert "sudo apt-get install espeak-ng" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x.wav").exists()


def test_alerts_lists_the_officers_alerts(env: dict[str, str], tmp_path: Path) -> None:
    engine = db.make_engine(DatabaseSettings(path=tmp_path / "kiosk.sqlite3"))
    db.upgrade(engine)
    factory: sessionmaker[Session] = db.session_factory(engine)
    with factory.begin() as session:
        alert_store.add_alert(session, "今天有人冒充电力公司收费。", "zh", "officer:7", 7)
    engine.dispose()
    done = kiosk(env, "--alerts")
    assert done.returncode == 0, done.stderr
    assert "今天有人冒充电力公司收费。" in done.stdout and "officer:7" in done.stdout


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


# How the kiosk was started: as the test runner was, or by a shell that hands on SIGINT ignored (a background
# job of a script, `make test &`): the kiosk stops on Ctrl-C either way (issue 12).
STARTED = {"plain": [], "with-sigint-ignored": ["sh", "-c", "trap '' INT; exec \"$@\"", "sh"]}


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see the worker process")
@pytest.mark.parametrize("started", STARTED)
def test_ctrl_c_stops_the_kiosk_and_its_worker_cleanly(env: dict[str, str], started: str) -> None:
    process = subprocess.Popen(
        [*STARTED[started], sys.executable, "-m", "bot", "kiosk", "--no-alerts"],
        cwd=PROJECT_ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stdin and process.stdout
    try:
        deadline = time.monotonic() + 60
        while "Type your question" not in process.stdout.readline():
            assert time.monotonic() < deadline
        process.stdin.write("有人让我转账到安全账户\n")
        process.stdin.flush()
        while "Type your question" not in process.stdout.readline():
            assert time.monotonic() < deadline
        workers = _children(process.pid)
        assert workers, "the speech worker should run"
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    time.sleep(0.5)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()
                and "Z" not in (Path(f"/proc/{pid}") / "stat").read_text().rsplit(")", 1)[1].split()[0]]
