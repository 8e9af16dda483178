import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.errors import SettingsError
from bot.settings import PROJECT_ROOT, Settings, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_config_loads_with_its_defaults():
    s = load_settings(PROJECT_ROOT / "config.yaml", env={})
    assert s.routing.accept_within_minutes == 120
    assert s.database.effective_url.startswith("sqlite:///")
    assert s.faq.dir == PROJECT_ROOT / "faq"


def every_setting(settings: Settings) -> dict[str, Any]:
    return {
        f"{section.name}.{key.name}": getattr(getattr(settings, section.name), key.name)
        for section in dataclasses.fields(settings)
        for key in dataclasses.fields(getattr(settings, section.name))
    }


def test_the_shipped_config_lists_every_setting_at_the_codes_default():
    """The defaults live in bot/settings.py only; config.yaml shows each to the operator, the same."""
    shipped = every_setting(load_settings(PROJECT_ROOT / "config.yaml", env={}))
    defaults = every_setting(Settings())
    assert {k: v for k, v in shipped.items() if v != defaults[k]} == {}
    raw = yaml.safe_load((PROJECT_ROOT / "config.yaml").read_text(encoding="utf-8"))
    listed = {f"{section}.{key}" for section, keys in raw.items() for key in keys}
    assert listed == set(defaults) - {"telegram.token"}


def test_the_mandarin_voice_is_the_one_espeak_ng_reads_right():
    assert Settings().voice.voice_zh == "cmn-latn-pinyin"  # `cmn` reads 拨打 as "bo one da three"


def test_a_station_west_of_greenwich_has_a_negative_offset(tmp_path):
    assert load_settings(write(tmp_path, "app: {utc_offset_hours: -5}\n"), env={}).app.utc_offset_hours == -5
    env = {"CUNJING_APP__UTC_OFFSET_HOURS": "-3.5"}
    assert load_settings(write(tmp_path, ""), env=env).app.utc_offset_hours == -3.5


@pytest.mark.parametrize("admins", ["111, 222", "[111, 222]", "111,222,"])
def test_a_list_from_the_environment_is_a_yaml_list_or_commas_and_its_elements_have_their_type(tmp_path, admins):
    s = load_settings(write(tmp_path, ""), env={"CUNJING_TELEGRAM__ADMINS": admins})
    assert s.telegram.admins == (111, 222)


def test_text_from_the_environment_is_taken_as_written(tmp_path):
    env = {
        "CUNJING_VOICE__VOICE_EN": "no",
        "CUNJING_TELEGRAM__BOT_USERNAME": "0123",
        "CUNJING_MATCHER__CACHE_DIR": "null",
    }
    s = load_settings(write(tmp_path, ""), env=env)
    assert s.voice.voice_en == "no"  # Norwegian, not YAML's false
    assert s.telegram.bot_username == "0123"  # not YAML's octal 83
    assert s.matcher.cache_dir is None


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
        ("", {"CUNJING_TELEGRAM__ADMINS": "111, abc"}, "telegram.admins[1]: expected a number, got 'abc'"),
        ("", {"CUNJING_ROUTING__ACCEPT_WITHIN_MINUTES": "-1"}, "routing.accept_within_minutes: must not be negative"),
        ("", {"CUNJING_APP__UTC_OFFSET_HOURS": "-13"}, "utc_offset_hours must be between -12 and 14"),
        ("", {"CUNJING_APP__LOG_LEVEL": "loud"}, "log_level must be one of"),
        ("voice: {voice_en: no}\n", {}, "voice.voice_en: expected text (in quotes), got False"),
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
