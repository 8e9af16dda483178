"""compose.yaml as Docker Compose reads it: the bot, PostgreSQL with a volume and a health check,
and the kiosk only under its profile; the token from .env, which is never committed. Where
podman-compose and the images are there (deploy/compose-without-docker.sh), `compose up` for real:
the bot in its image beside PostgreSQL answers /start from the fake Bot API, and the data survives `down`."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import yaml

from bot.settings import PROJECT_ROOT
from bot.store.db import head_revision
from tests.fakes import FakeBotApi


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


# `compose up` for real, daemonless: podman-compose with the project's image and a stand-in postgres:16
# (deploy/compose-without-docker.sh makes both, README "Going live"); the bot answers the fake Bot API.
LIVE_IMAGES = ("localhost/cunjing:latest", "localhost/postgres:16")
PROJECT = "cunjingcomposetest"
LABEL = "com.docker.compose.project"


def live_missing() -> str | None:
    if shutil.which("podman-compose") is None or shutil.which("podman") is None:
        return "no podman-compose"
    for image in LIVE_IMAGES:
        if subprocess.run(["podman", "image", "exists", image], capture_output=True, timeout=60).returncode != 0:
            return f"no {image} (deploy/compose-without-docker.sh makes it)"
    return None


async def run(*command: str, cwd: Path | None = None, check: bool = True) -> str:
    """A command in a thread, so that the fake Bot API keeps answering meanwhile."""
    done = await asyncio.to_thread(subprocess.run, command, cwd=cwd, capture_output=True, text=True,
                                   encoding="utf-8", timeout=600)
    assert not check or done.returncode == 0, f"{' '.join(command)}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done.stdout


async def compose(folder: Path, *args: str) -> str:
    return await run("podman-compose", "-p", PROJECT, "-f", "compose.yaml", *args, cwd=folder)


async def container(service: str) -> str:
    names = await run("podman", "ps", "--format", "{{.Names}}", "--filter", f"label={LABEL}={PROJECT}",
                      "--filter", f"label=com.docker.compose.service={service}")
    return names.split()[0] if names.split() else ""


async def sql(query: str) -> str:
    return (await run("podman", "exec", await container("db"), "psql", "-U", "cunjing", "-d", "cunjing", "-tAc",
                      query, check=False)).strip()


async def up(folder: Path) -> None:
    """`compose up -d`, PostgreSQL first until its health check passes: podman-compose leaves out
    `condition: service_healthy` below podman 4.6, and podman 4.3 runs health checks only by systemd's
    timers, so the check is run here as Docker would run it."""
    await compose(folder, "up", "-d", "db")
    deadline = time.monotonic() + 120
    while (await asyncio.to_thread(subprocess.run, ["podman", "healthcheck", "run", await container("db")],
                                   capture_output=True, timeout=60)).returncode != 0:
        assert time.monotonic() < deadline, "PostgreSQL not healthy within 120 s"
        await asyncio.sleep(1)
    await compose(folder, "up", "-d")


async def until(what: Callable[[], Awaitable[bool]], timeout: float, failure: str) -> None:
    deadline = time.monotonic() + timeout
    while not await what():
        assert time.monotonic() < deadline, failure
        await asyncio.sleep(1)


async def relay(target_port: int) -> asyncio.Server:
    """The fake listens on 127.0.0.1; the containers reach the host at host.containers.internal."""
    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        to_reader, to_writer = await asyncio.open_connection("127.0.0.1", target_port)
        await asyncio.gather(pipe(reader, to_writer), pipe(to_reader, writer))

    return await asyncio.start_server(connect, "0.0.0.0", 0)


async def test_compose_up_brings_the_bot_and_postgresql_up_and_the_data_survives_a_restart(tmp_path: Path) -> None:
    if missing := live_missing():
        pytest.skip(f"{missing}: `compose up` not run (deploy/compose-without-docker.sh runs it daemonless)")
    shutil.copy(PROJECT_ROOT / "compose.yaml", tmp_path / "compose.yaml")
    async with FakeBotApi(settle_timeout=180) as api:
        server = await relay(api.port)
        fake = f"http://host.containers.internal:{server.sockets[0].getsockname()[1]}"
        (tmp_path / ".env").write_text(
            f"TELEGRAM_BOT_TOKEN={api.token}\nPOSTGRES_PASSWORD=secret1\n"
            f"CUNJING_TELEGRAM__BASE_URL={fake}/bot\nCUNJING_TELEGRAM__BASE_FILE_URL={fake}/file/bot\n",
            encoding="utf-8")
        villager = api.user(4242, "张大爷")
        try:
            await up(tmp_path)
            await until(has_schema, 180, "the bot did not migrate its database within 180 s")
            assert await sql("SELECT version_num FROM alembic_version") == head_revision()
            demo = "$(python -c 'from bot.store.demo import DEMO_ROSTER; print(DEMO_ROSTER)')"
            await compose(tmp_path, "exec", "-T", "bot", "sh", "-c", f"cunjing roster import {demo}")

            await villager.send("/start QS001", settle=False)
            await until(lambda: answered(api, villager.id, "已登记您所在的村：青山村"), 120,
                        "no registration in answer to /start QS001 within 120 s")

            await compose(tmp_path, "down")
            assert await container("db") == await container("bot") == ""
            assert len(await volumes()) == 2  # db and station, kept
            await up(tmp_path)
            await until(has_schema, 180, "PostgreSQL did not come back with the data")
            assert await sql("SELECT v.code FROM citizens c JOIN villages v ON v.id = c.village_id "
                             "WHERE c.user_id = 4242") == "QS001"
            before = len(api.messages_to(villager.id))
            await villager.send("/start", settle=False)
            await until(lambda: answered(api, villager.id, "村警助手", after=before), 120,
                        "no answer after the restart within 120 s")
        finally:
            if bot := await container("bot"):  # its log, shown by pytest when the test fails
                logs = await asyncio.to_thread(subprocess.run, ["podman", "logs", "--tail", "30", bot],
                                               capture_output=True, text=True, timeout=60)
                print(logs.stdout, logs.stderr)
            await compose(tmp_path, "down", "-v")
            server.close()
    assert await container("db") == await container("bot") == ""
    assert await volumes() == []


async def volumes() -> list[str]:
    return (await run("podman", "volume", "ls", "--quiet", "--filter", f"label={LABEL}={PROJECT}")).split()


async def has_schema() -> bool:
    return bool(await sql("SELECT version_num FROM alembic_version"))


async def answered(api: FakeBotApi, user_id: int, text: str, after: int = 0) -> bool:
    return any(text in (message.text or "") for message in api.messages_to(user_id)[after:])
