"""compose.yaml as Docker Compose reads it: the bot, PostgreSQL with a volume and a health check,
and the kiosk only under its profile; the token from .env, which is never committed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.settings import PROJECT_ROOT


def compose_command() -> list[str]:
    """`docker compose` (the plugin), else the older standalone `docker-compose`; skip without either."""
    if shutil.which("docker"):
        plugin = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, timeout=60)
        if plugin.returncode == 0:
            return ["docker", "compose"]
    if standalone := shutil.which("docker-compose"):
        return [standalone]
    pytest.skip("neither `docker compose` nor `docker-compose` is installed: compose.yaml not checked")


def resolved(tmp_path: Path, *options: str) -> dict:
    """`compose config` of compose.yaml with .env.example filled in as a station's .env."""
    shutil.copy(PROJECT_ROOT / "compose.yaml", tmp_path / "compose.yaml")
    example = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    filled = example.replace("TELEGRAM_BOT_TOKEN=\n", "TELEGRAM_BOT_TOKEN=123456:TEST\n").replace(
        "POSTGRES_PASSWORD=\n", "POSTGRES_PASSWORD=secret1\n")
    (tmp_path / ".env").write_text(filled, encoding="utf-8")
    done = subprocess.run([*compose_command(), "-f", "compose.yaml", *options, "config"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    config: dict = yaml.safe_load(done.stdout)
    return config


def test_the_bot_runs_beside_a_healthy_postgresql_with_its_data_in_volumes(tmp_path: Path) -> None:
    config = resolved(tmp_path)
    services = config["services"]
    # the kiosk only with its profile (`docker compose` leaves it out, `docker-compose` 1.x marks it)
    assert sorted(name for name, s in services.items() if not s.get("profiles")) == ["bot", "db"]
    bot, db = services["bot"], services["db"]
    assert bot["environment"]["TELEGRAM_BOT_TOKEN"] == "123456:TEST"  # from .env
    assert bot["environment"]["CUNJING_DATABASE__URL"] == "postgresql+psycopg://cunjing:secret1@db/cunjing"
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert {"db", "station"} <= set(config["volumes"])


def test_the_kiosk_comes_with_its_profile_and_the_loudspeaker(tmp_path: Path) -> None:
    kiosk = resolved(tmp_path, "--profile", "kiosk")["services"]["kiosk"]
    assert kiosk["command"] == ["cunjing", "kiosk"]
    assert "audio" in kiosk["group_add"]
    assert any("/dev/snd" in str(device) for device in kiosk["devices"])


def test_the_env_file_with_the_token_is_never_committed() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=PROJECT_ROOT, timeout=60)
    if ignored.returncode == 128:
        pytest.skip("not a git checkout: .gitignore not checked")
    assert ignored.returncode == 0, ".env is not in .gitignore"
    assert "TELEGRAM_BOT_TOKEN=\n" in (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
