from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.settings import PROJECT_ROOT, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_config_loads_with_its_defaults():
    s = load_settings(PROJECT_ROOT / "config.yaml", env={})
    assert s.routing.accept_within_minutes == 120
    assert s.database.effective_url.startswith("sqlite:///")
    assert s.faq.dir == PROJECT_ROOT / "faq"


def test_environment_overrides_any_setting_with_yaml_values(tmp_path):
    env = {
        "CUNJING_ROUTING__ACCEPT_WITHIN_MINUTES": "0.05",
        "CUNJING_DATABASE__URL": "postgresql+psycopg://u@h/db",
        "CUNJING_TELEGRAM__ADMINS": "[1, 2]",
        "TELEGRAM_BOT_TOKEN": "123:abc",
    }
    s = load_settings(write(tmp_path, "routing: {accept_within_minutes: 5}\n"), env=env)
    assert s.routing.accept_within_minutes == 0.05
    assert s.database.effective_url == "postgresql+psycopg://u@h/db"
    assert s.telegram.admins == (1, 2)
    assert s.telegram.token == "123:abc"
    assert "123:abc" not in repr(s)


def test_cunjing_config_names_another_file(tmp_path):
    other = write(tmp_path, "database: {path: data/x.sqlite3}\n")
    s = load_settings(env={"CUNJING_CONFIG": str(other)})
    assert s.database.path == tmp_path / "data" / "x.sqlite3"


@pytest.mark.parametrize(
    ("text", "env", "named"),
    [
        ("routing: {accept_within_minutes: soon}\n", {}, "routing.accept_within_minutes"),
        ("", {"CUNJING_MATCHER__THRESHOLD": "1.5"}, "threshold"),
        ("telegram: {mode: carrier-pigeon}\n", {}, "mode"),
        ("databse: {url: x}\n", {}, "databse"),
        ("telegram: {token: '1:x'}\n", {}, "telegram.token"),
        ("telegram: {admins: [one]}\n", {}, "telegram.admins[0]"),
        ("telegram: {concurrent_updates: 0}\n", {}, "concurrent_updates"),
        ("- just a list\n", {}, "config.yaml"),
        ("routing: [\n", {}, "not valid YAML"),
    ],
)
def test_a_bad_setting_stops_with_a_message_that_names_it(tmp_path, text, env, named):
    with pytest.raises(SettingsError) as info:
        load_settings(write(tmp_path, text), env=env)
    assert named in str(info.value)


def test_a_missing_config_file_is_named(tmp_path):
    with pytest.raises(SettingsError, match="not found"):
        load_settings(tmp_path / "nope.yaml", env={})
