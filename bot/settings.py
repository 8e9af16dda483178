"""config.yaml read once into frozen, typed settings; `CUNJING_<SECTION>__<KEY>` overrides any setting.

The defaults are the dataclasses' below and nowhere else: the shipped config.yaml shows each
setting to the operator at exactly that value (tests/bot/test_settings.py fails if they differ).
Own loader rather than pydantic-settings: the 100 lines below give typed, frozen dataclasses that
the code and tests build directly, paths relative to the config file, errors that name the
setting, and no two extra dependencies (pydantic, pydantic-core) for one start-up step.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.errors import SettingsError
from bot.paths import CHECKOUT, CONTENT, PROJECT_ROOT, VAR  # where the defaults point: a checkout or a wheel

ENV_PREFIX = "CUNJING_"
SIGNED = {"signed": True}  # field metadata: this number may be negative (numbers are not, by default)


def _one_of(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")


@dataclass(frozen=True)
class AppSettings:
    default_lang: str = "zh"
    log_level: str = "INFO"
    log_format: str = "text"  # text | json: one JSON object a line (bot/logs.py)
    # the station's local time (bot/localtime.py): report dates, duty weeks and months, kiosk quiet hours
    utc_offset_hours: float = field(default=8.0, metadata=SIGNED)
    # facts only the station knows, filled into the FAQ's answers (`{station_phone}`); empty: the
    # sentence that needs one is left out (intents/faq.py fill_station)
    station_phone: str = ""  # the station's public phone, e.g. its duty desk
    station_online: str = ""  # the online channel for police certificates, as villagers find it

    @property
    def station(self) -> dict[str, str]:
        return {"station_phone": self.station_phone, "station_online": self.station_online}

    def __post_init__(self) -> None:
        _one_of("default_lang", self.default_lang, ("zh", "en"))
        if not -12 <= self.utc_offset_hours <= 14:
            raise ValueError(f"utc_offset_hours must be between -12 and 14, got {self.utc_offset_hours}")
        _one_of("log_level", self.log_level.upper(), ("DEBUG", "INFO", "WARNING", "ERROR"))
        _one_of("log_format", self.log_format, ("text", "json"))


@dataclass(frozen=True)
class FaqSettings:
    dir: Path = CONTENT / "faq"
    catalogue: Path | None = None


@dataclass(frozen=True)
class MatcherSettings:
    threshold: float = 0.6
    suggestions: int = 3
    max_chars: int = 2000
    cache_dir: Path | None = VAR / "cache"

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, got {self.threshold}")


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = ""
    path: Path = VAR / "cunjing.sqlite3"
    echo: bool = False

    @property
    def effective_url(self) -> str:
        """The SQLAlchemy URL: `url` when set, else the embedded SQLite file."""
        return self.url or f"sqlite:///{self.path}"


@dataclass(frozen=True)
class TelegramSettings:
    token: str = field(default="", repr=False)
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    bot_username: str = ""  # read from Telegram (getMe) at every start; set only for posters made before
    mode: str = "polling"
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    admins: tuple[int, ...] = ()
    per_chat_interval: float = 1.0
    overall_per_second: float = 30.0
    max_send_attempts: int = 8
    poll_timeout: float = 10.0
    send_timeout: float = 30.0  # seconds for Telegram's answer; a send timed out has an unknown outcome
    # users served at once (each user's updates still in order): with Telegram's round trip of
    # about 0.1 s, the bot answers at most this many messages per 0.1 s
    concurrent_updates: int = 64
    # the conversation core (matcher, SQL) in a process of its own beside the Telegram loop
    core_process: bool = True

    def __post_init__(self) -> None:
        _one_of("mode", self.mode, ("polling", "webhook"))
        if self.mode == "webhook" and not self.webhook_url:
            raise ValueError("webhook_url is needed in webhook mode")
        if self.concurrent_updates < 1:
            raise ValueError(f"concurrent_updates must be at least 1, got {self.concurrent_updates}")


@dataclass(frozen=True)
class RoutingSettings:
    accept_within_minutes: float = 120.0
    dispatch_interval_seconds: float = 1.0


@dataclass(frozen=True)
class VoiceSettings:
    rate: int = 160
    volume: float = 1.0
    voice_zh: str = "cmn-latn-pinyin"  # not espeak-ng's `cmn`: config.yaml says why
    voice_en: str = "en"
    cache_dir: Path = VAR / "speech-cache"
    timeout_seconds: float = 30.0
    max_chunk_chars: int = 80
    cache_max_mb: float = 200.0
    player: str = ""

    def __post_init__(self) -> None:
        if self.max_chunk_chars < 1:
            raise ValueError(f"max_chunk_chars must be at least 1, got {self.max_chunk_chars}")
        if not 0.0 <= self.volume <= 1.0:
            raise ValueError(f"volume must be between 0 and 1, got {self.volume}")


@dataclass(frozen=True)
class KioskSettings:
    interval_seconds: float = 300.0
    quiet_hours: tuple[str, ...] = ("22:00", "07:00")
    languages: tuple[str, ...] = ("zh", "en")
    alert_days: float = 7.0
    idle_seconds: float = 60.0
    alerts_poll_seconds: float = 30.0

    def __post_init__(self) -> None:
        times = [t.partition(":") for t in self.quiet_hours]
        if len(times) not in (0, 2) or not all(
            h.isdigit() and m.isdigit() and len(m) == 2 and int(h) < 24 and int(m) < 60 for h, _, m in times
        ):
            raise ValueError(f"quiet_hours must be [] or two times [HH:MM, HH:MM], got {list(self.quiet_hours)}")
        if not self.languages:
            raise ValueError("languages must name at least one of zh, en")
        for lang in self.languages:
            _one_of("languages", lang, ("zh", "en"))


@dataclass(frozen=True)
class DutySettings:
    remind_hour: int = 9  # local hour from which an officer is reminded of a duty due tomorrow
    check_every_minutes: float = 30.0

    def __post_init__(self) -> None:
        if not 0 <= self.remind_hour <= 23:
            raise ValueError(f"remind_hour must be between 0 and 23, got {self.remind_hour}")


@dataclass(frozen=True)
class ReportSettings:
    dir: Path = VAR / "reports"  # where `cunjing report` and /report write their files
    days: int = 7  # the period of a report without dates: the last this many days

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError(f"days must be at least 1, got {self.days}")


@dataclass(frozen=True)
class MonitorSettings:
    """The health and metrics listener (bot/channels/telegram/monitor.py): GET /healthz and /metrics."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 9464  # 0: any free port (tests)
    getme_every_minutes: float = 1.0  # how often Telegram is asked getMe, for /healthz
    healthy_within_minutes: float = 5.0  # /healthz fails when getMe has not succeeded for this long

    def __post_init__(self) -> None:
        if not 0 <= self.port < 65536:
            raise ValueError(f"port must be between 0 and 65535, got {self.port}")
        if self.getme_every_minutes <= 0 or self.healthy_within_minutes < self.getme_every_minutes:
            raise ValueError("getme_every_minutes must be above 0 and at most healthy_within_minutes")


@dataclass(frozen=True)
class RetentionSettings:
    # asked questions and scam checks (villagers' words) older than this are deleted; 0: kept forever.
    # Requests and their audit trail are kept.
    questions_days: int = 180


@dataclass(frozen=True)
class Settings:
    app: AppSettings = AppSettings()
    faq: FaqSettings = FaqSettings()
    matcher: MatcherSettings = MatcherSettings()
    database: DatabaseSettings = DatabaseSettings()
    telegram: TelegramSettings = TelegramSettings()
    routing: RoutingSettings = RoutingSettings()
    voice: VoiceSettings = VoiceSettings()
    kiosk: KioskSettings = KioskSettings()
    duty: DutySettings = DutySettings()
    report: ReportSettings = ReportSettings()
    monitor: MonitorSettings = MonitorSettings()
    retention: RetentionSettings = RetentionSettings()


def config_path(env: Mapping[str, str] | None = None) -> Path | None:
    """`CUNJING_CONFIG` when set, else `config.yaml` of the checkout. None when installed without
    one: the defaults are then the packaged config.yaml's settings, with var/ in a writable place."""
    env = os.environ if env is None else env
    if env.get("CUNJING_CONFIG"):
        return Path(env["CUNJING_CONFIG"])
    return PROJECT_ROOT / "config.yaml" if CHECKOUT else None


def load_settings(path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read the config file, apply environment overrides, check every value's type."""
    env = os.environ if env is None else env
    path = path or config_path(env)
    raw = _read_yaml(path) if path else {}
    for name, value in env.items():
        if name.startswith(ENV_PREFIX) and "__" in name:
            section, _, key = name[len(ENV_PREFIX) :].lower().partition("__")
            raw.setdefault(section, {})
            if not isinstance(raw[section], dict):
                raise SettingsError(f"{section}: expected a section of settings")
            raw[section][key] = _EnvText(value)
    raw.setdefault("telegram", {})
    if isinstance(raw["telegram"], dict):
        if "token" in raw["telegram"]:
            raise SettingsError("telegram.token: the token comes from TELEGRAM_BOT_TOKEN only, never a file")
        raw["telegram"]["token"] = env.get("TELEGRAM_BOT_TOKEN", "")
    return _build(Settings, raw, "", path.parent if path else Path.cwd())


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError(f"{path}: configuration file not found") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise SettingsError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: expected sections of settings at the top level")
    return data


class _EnvText(str):
    """A value from the environment: read as its setting's type (`_from_env`), not as YAML up front."""


def _yaml(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return str(text)


def _from_env(hint: Any, text: _EnvText) -> Any:
    """Text and paths as written (`no` stays `no`, `0123` stays `0123`), lists as `[a, b]` or `a, b`
    (each element read as its type), anything else as YAML (`-5`, `0.05`, `true`, `null`)."""
    if hint in (str, Path):
        return str(text)
    if typing.get_origin(hint) is tuple and not text.lstrip().startswith("["):
        return [_EnvText(v.strip()) for v in text.split(",") if v.strip()]
    return _yaml(text)


def _build(cls: type, raw: Any, prefix: str, base: Path) -> Any:
    if not isinstance(raw, dict):
        raise SettingsError(f"{prefix.rstrip('.')}: expected a section of settings")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    for key in raw:
        if key not in known:
            raise SettingsError(f"{prefix}{key}: unknown setting")
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in raw:
            continue
        name = f"{prefix}{f.name}"
        hint = hints[f.name]
        if dataclasses.is_dataclass(hint):
            values[f.name] = _build(typing.cast(type, hint), raw[f.name] or {}, f"{name}.", base)
        else:
            values[f.name] = _coerce(hint, raw[f.name], name, base, signed=f.metadata.get("signed", False))
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{prefix.rstrip('.')}: {exc}") from None


def _coerce(hint: Any, value: Any, name: str, base: Path, signed: bool = False) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if isinstance(value, _EnvText) and _yaml(value) is None:  # `null`, `~` or empty
            value = None
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(inner[0], value, name, base, signed)
    if isinstance(value, _EnvText):
        value = _from_env(hint, value)
    if origin is tuple:
        if isinstance(value, str):  # `a, b` in the file too
            value = _from_env(hint, _EnvText(value))
        if not isinstance(value, list | tuple):
            raise SettingsError(f"{name}: expected a list, got {value!r}")
        return tuple(_coerce(args[0], v, f"{name}[{i}]", base, signed) for i, v in enumerate(value))
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise SettingsError(f"{name}: expected true or false, got {value!r}")
    if hint in (int, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SettingsError(f"{name}: expected a number, got {value!r}")
        if hint is int and isinstance(value, float) and not value.is_integer():
            raise SettingsError(f"{name}: expected a whole number, got {value!r}")
        if value < 0 and not signed:
            raise SettingsError(f"{name}: must not be negative, got {value!r}")
        return hint(value)
    if hint is Path:
        if not isinstance(value, str) or not value:
            raise SettingsError(f"{name}: expected a path, got {value!r}")
        path = Path(value).expanduser()
        return path if path.is_absolute() else (base / path).resolve()
    if hint is str:
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):  # YAML reads `no` as false
            raise SettingsError(f"{name}: expected text (in quotes), got {value!r}")
        return str(value)
    raise SettingsError(f"{name}: unsupported setting type {hint!r}")
