"""A database that cannot be opened at start: every command says so in one line naming the setting
and the reason, and exits with 2; no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

CLOSED_PORT = "postgresql+psycopg://cunjing:secret@127.0.0.1:1/cunjing"


def cunjing(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The command line, on the database `env` names (and no other), with no Telegram token."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CUNJING_") and k != "TELEGRAM_BOT_TOKEN"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=PROJECT_ROOT,
        env={**clean, **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    return result.stderr


@pytest.mark.parametrize("command", [["db", "upgrade"], ["report"]])
def test_an_unreachable_postgresql_names_database_url(command: list[str]) -> None:
    err = one_line(cunjing(*command, CUNJING_DATABASE__URL=CLOSED_PORT))
    assert err.startswith("cunjing: database.url: cannot open the database postgresql+psycopg://cunjing:***@")
    assert "Connection refused" in err and "secret" not in err


@pytest.mark.parametrize("command", [["db", "upgrade"], ["run"]])  # run: the console chat, beside the file
def test_a_sqlite_path_under_a_file_names_database_path(command: list[str], tmp_path: Path) -> None:
    (tmp_path / "var").write_text("a file, not a folder")
    err = one_line(cunjing(*command, CUNJING_DATABASE__PATH=str(tmp_path / "var" / "cunjing.sqlite3")))
    assert err == f"cunjing: database.path: cannot make the folder {tmp_path / 'var'}: File exists\n"


def test_a_sqlite_path_that_is_a_folder_names_database_path(tmp_path: Path) -> None:
    err = one_line(cunjing("report", "--out", str(tmp_path / "out"), CUNJING_DATABASE__PATH=str(tmp_path)))
    assert err == f"cunjing: database.path: cannot open the database {tmp_path}: unable to open database file\n"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_sqlite_path_in_a_read_only_folder_names_database_path(tmp_path: Path) -> None:
    folder = tmp_path / "readonly"
    folder.mkdir(mode=0o555)
    err = one_line(cunjing("db", "upgrade", CUNJING_DATABASE__PATH=str(folder / "cunjing.sqlite3")))
    assert err.startswith(f"cunjing: database.path: cannot open the database {folder / 'cunjing.sqlite3'}: ")
