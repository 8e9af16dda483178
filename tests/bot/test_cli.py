"""The command line's logging, as an operator runs it: app.log_level for the services, quiet tools."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.settings import PROJECT_ROOT

QUESTION = "身份证丢了怎么补办\n".encode()


def cunjing(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CUNJING_") and k != "TELEGRAM_BOT_TOKEN"}
    environ.update(CUNJING_DATABASE__PATH=str(tmp_path / "bot.sqlite3"), CUNJING_DATABASE__URL="", **env)
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=PROJECT_ROOT, env=environ, input=QUESTION, capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    return subprocess.CompletedProcess(done.args, 0, done.stdout.decode(), done.stderr.decode())


def test_run_logs_at_the_configured_level(tmp_path: Path) -> None:
    done = cunjing(tmp_path, "run")  # no token: the console chat
    assert "【身份证" in done.stdout
    info = [line for line in done.stderr.splitlines() if " INFO " in line]
    assert any("bot.store.db: database migrated" in line for line in info), done.stderr
    assert not [line for line in info if "alembic" in line]  # its 8 lines a start are one of ours

    quiet = cunjing(tmp_path, "run", CUNJING_APP__LOG_LEVEL="warning")
    assert " INFO " not in quiet.stderr


def test_match_keeps_stdout_to_json_and_stderr_quiet_whatever_the_level(tmp_path: Path) -> None:
    done = cunjing(tmp_path, "match", CUNJING_APP__LOG_LEVEL="DEBUG")
    (row,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert row["intent"] == "service.id_card_lost"
    assert done.stderr == ""


def test_verbose_overrides_the_configured_level(tmp_path: Path) -> None:
    done = cunjing(tmp_path, "-v", "run", CUNJING_APP__LOG_LEVEL="ERROR")
    assert "bot.store.db: database migrated" in done.stderr


def test_run_logs_json_lines_when_configured(tmp_path: Path) -> None:
    done = cunjing(tmp_path, "run", CUNJING_APP__LOG_FORMAT="json")
    lines = [json.loads(line) for line in done.stderr.splitlines()]  # every line one JSON object
    migrated = [line for line in lines if line["message"].startswith("database migrated")]
    assert migrated and migrated[0]["level"] == "INFO" and migrated[0]["logger"] == "bot.store.db"
