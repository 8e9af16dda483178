"""config.yaml read once into frozen, typed settings; `CUNJING_<SECTION>__<KEY>` overrides any setting.

The defaults are the dataclasses' below and nowhere else: the shipped config.yaml shows each
setting to the operator at exactly that value (tests/bot/test_settings.py fails if they differ).
Own loader (bot/settings_build.py) rather than pydantic-settings: its 120 lines give typed, frozen
dataclasses that the code and tests build directly, paths relative to the config file, errors that
name the setting, and no two extra dependencies (pydantic, pydantic-core) for one start-up step.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import SettingsError
from bot.paths import CHECKOUT, CONTENT, PROJECT_ROOT, VAR  # where the defaults point: a checkout or a wheel
from bot.settings_build import SIGNED, EnvText, build, read_yaml

ENV_PREFIX = "CUNJING_"


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
    semantic: str = "auto"  # the sentence encoder (intents/semantic.py): auto (when installed) | off

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, got {self.threshold}")
        if self.semantic not in ("auto", "off"):
            raise ValueError(f"semantic must be auto or off, got {self.semantic!r}")


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
    hearing: str = "auto"  # auto | off: villagers' voice notes heard when the `hearing` extra is installed
    hearing_max_seconds: float = 60.0  # a longer voice note is not heard (the buttons instead)

    def __post_init__(self) -> None:
        _one_of("hearing", self.hearing, ("auto", "off"))
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
    # asked questions and scam checks (villagers' words) older than this are deleted, the questions
    # labelled with /review aside; 0: kept forever. Requests and their audit trail are kept.
    questions_days: int = 180
    # outbox rows sent or given up, and message links, older than this are deleted, but for requests
    # open or closed within it; 0: kept forever. At least a week: a row's key keeps a message from
    # being sent twice, however late its update comes again.
    sent_days: int = 30

    def __post_init__(self) -> None:
        if self.sent_days != 0 and self.sent_days < 7:
            raise ValueError(f"sent_days must be 0 (kept forever) or at least 7, got {self.sent_days}")


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
    raw = read_yaml(path) if path else {}
    for name, value in env.items():
        if name.startswith(ENV_PREFIX) and "__" in name:
            section, _, key = name[len(ENV_PREFIX) :].lower().partition("__")
            raw.setdefault(section, {})
            if not isinstance(raw[section], dict):
                raise SettingsError(f"{section}: expected a section of settings")
            raw[section][key] = EnvText(value)
    raw.setdefault("telegram", {})
    if isinstance(raw["telegram"], dict):
        if "token" in raw["telegram"]:
            raise SettingsError("telegram.token: the token comes from TELEGRAM_BOT_TOKEN only, never a file")
        raw["telegram"]["token"] = env.get("TELEGRAM_BOT_TOKEN", "")
    return build(Settings, raw, "", path.parent if path else Path.cwd())
