"""`cunjing init DIR` in process: the station's copy, read through CUNJING_CONFIG, never overwritten.
(tests/deploy/test_wheel.py does the same with the installed wheel, outside the checkout.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands.init import write_station
from bot.errors import CunjingError
from bot.settings import PROJECT_ROOT, load_settings


def test_the_station_folder_holds_the_content_and_the_state(tmp_path: Path) -> None:
    station = write_station(tmp_path / "station", PROJECT_ROOT)
    settings = load_settings(env={"CUNJING_CONFIG": str(station / "config.yaml")})
    assert settings.faq.dir == station / "faq"
    assert settings.database.path == station / "var" / "cunjing.sqlite3"
    assert settings.matcher.cache_dir == station / "var" / "cache"
    assert (station / "faq" / "messages.yaml").read_bytes() == (PROJECT_ROOT / "faq" / "messages.yaml").read_bytes()


@pytest.mark.parametrize("there", ["config.yaml", "faq"])
def test_init_refuses_to_overwrite_a_station_s_edits(tmp_path: Path, there: str) -> None:
    edited = tmp_path / there
    if there == "faq":
        edited.mkdir()
        (edited / "services.yaml").write_text("# ours\n", encoding="utf-8")
    else:
        edited.write_text("# ours\n", encoding="utf-8")
    with pytest.raises(CunjingError, match=f"{there} already there; nothing written"):
        write_station(tmp_path, PROJECT_ROOT)
    assert sorted(p.name for p in tmp_path.iterdir()) == [there]


def test_without_a_config_file_an_installed_wheel_uses_its_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import settings

    monkeypatch.setattr(settings, "CHECKOUT", False)
    assert settings.config_path(env={}) is None
    assert load_settings(env={}) == settings.Settings()
