"""`cunjing db upgrade` and `cunjing roster import/export` through the real command line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import DatabaseSettings
from bot.store.db import head_revision
from bot.store.demo import DEMO_ROSTER


@pytest.fixture
def configured(database: DatabaseSettings, monkeypatch: pytest.MonkeyPatch) -> DatabaseSettings:
    monkeypatch.setenv("CUNJING_DATABASE__URL", database.effective_url)
    return database


def test_db_upgrade_says_what_it_did(configured: DatabaseSettings, capsys: pytest.CaptureFixture[str]) -> None:
    head = head_revision()
    assert main(["db", "upgrade"]) == 0
    assert f"upgraded from an empty database to revision {head}" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert f"already up to date (revision {head})" in capsys.readouterr().out


def test_roster_import_then_export(
    configured: DatabaseSettings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["roster", "import", str(DEMO_ROSTER)]) == 0
    assert "7 villages imported" in capsys.readouterr().out
    assert main(["roster", "export"]) == 0
    exported = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    original = list(csv.reader(DEMO_ROSTER.open(encoding="utf-8")))
    assert exported[0] == original[0]
    assert sorted(exported[1:]) == sorted(original[1:])
    assert main(["roster", "export", str(tmp_path / "roster.xlsx")]) == 0
    assert main(["roster", "import", str(tmp_path / "roster.xlsx")]) == 0
    assert "(no changes)" in capsys.readouterr().out
    assert main(["roster", "export", str(tmp_path / "roster.csv")]) == 0
    assert (tmp_path / "roster.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM, for Excel


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n\x00\x00junk", b"", "镇,村".encode("gb18030")])
def test_a_broken_file_exits_1_with_a_message(
    configured: DatabaseSettings, capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes
) -> None:
    for name in ("broken.csv", "broken.xlsx"):
        (tmp_path / name).write_bytes(content)
        assert main(["roster", "import", str(tmp_path / name)]) == 1
        err = capsys.readouterr().err
        assert "nothing imported" in err and "Traceback" not in err


def test_a_bad_row_exits_1_naming_the_row(
    configured: DatabaseSettings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = DEMO_ROSTER.read_text(encoding="utf-8") + "白水镇（示例）,BS009,新村,某人,110,,\n"
    (tmp_path / "bad.csv").write_text(text, encoding="utf-8")
    assert main(["roster", "import", str(tmp_path / "bad.csv")]) == 1
    assert "row 9: officer_phone '110'" in capsys.readouterr().err
    assert main(["roster", "export"]) == 0
    assert capsys.readouterr().out.count("\n") == 1  # only the header: nothing was imported
