"""The image a station pulls or builds: `docker build`, then the smoke test inside it
(`cunjing --version`, `cunjing faq validate`, the bot answering `/start` from the fake Bot API).
Where no Docker daemon answers (this project's CI machine: a client, no daemon), the same Dockerfile is
built by podman, daemonless, when podman runs containers and has the `python:3.11-slim` base (on a
machine without Docker Hub, the stand-in deploy/build-without-docker.sh makes); otherwise it skips in one line."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from tests.deploy.smoke import answers_start

TAG = "cunjing:smoke-test"
VERSION = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
DEMO = "$(python -c 'from bot.store.demo import DEMO_ROSTER; print(DEMO_ROSTER)')"


BASE = "python:3.11-slim"  # the Dockerfile's FROM
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def daemon_missing() -> str | None:
    if shutil.which("docker") is None:
        return "no docker command"
    info = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True,
                          timeout=60)
    if info.returncode != 0:
        return (info.stderr.strip().splitlines() or ["docker info failed"])[-1]
    return None


def podman_missing() -> str | None:
    if shutil.which("podman") is None:
        return "no podman command"
    if subprocess.run(["podman", "image", "exists", BASE], capture_output=True, timeout=60).returncode != 0:
        return f"podman has no {BASE} base (deploy/build-without-docker.sh makes one)"
    probe = subprocess.run(["podman", "run", "--rm", BASE, "true"], capture_output=True, text=True, timeout=120)
    if probe.returncode != 0:
        return (probe.stderr.strip().splitlines() or ["podman run failed"])[-1]
    return None


def engine() -> tuple[str, list[str]]:
    """The container engine and its build options: Docker where its daemon answers, else podman, as
    deploy/build-without-docker.sh runs it: the host's network and CA bundle, and no layer cache (podman
    4.3 reuses a cached `RUN --mount=from=build` layer after the build stage changed: a stale install)."""
    if (no_docker := daemon_missing()) is None:
        return "docker", []
    if (no_podman := podman_missing()) is None:
        trust = ["--volume", f"{CA_BUNDLE}:{CA_BUNDLE}:ro"] if CA_BUNDLE.is_file() else []
        return "podman", ["--layers=false", "--pull=never", "--network", "host", *trust]
    pytest.skip(f"no Docker daemon ({no_docker}) nor podman ({no_podman}), image not built; "
                "compose.yaml is checked by test_compose.py", allow_module_level=True)


ENGINE, BUILD_OPTIONS = engine()


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    build = subprocess.run([ENGINE, "build", *BUILD_OPTIONS, "--tag", TAG, str(PROJECT_ROOT)], capture_output=True,
                           text=True, timeout=3600)
    assert build.returncode == 0, build.stderr[-4000:]
    yield TAG
    subprocess.run([ENGINE, "image", "rm", "--force", TAG], capture_output=True, timeout=300)


def in_image(image: str, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ENGINE, "run", "--rm", image, *command], capture_output=True, text=True,
                          encoding="utf-8", timeout=600)


def test_the_image_runs_as_an_unprivileged_user_and_knows_its_version(image: str) -> None:
    assert in_image(image, "id", "-un").stdout.strip() == "cunjing"
    done = in_image(image, "cunjing", "--version")
    assert (done.returncode, done.stdout) == (0, f"cunjing {VERSION}\n")


def test_the_station_faq_in_the_image_validates(image: str) -> None:
    done = in_image(image, "cunjing", "faq", "validate", "--quiet")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "/srv/cunjing/faq: 0 error(s)" in done.stderr  # the copy `cunjing init` wrote on the first start


async def test_the_bot_in_the_image_answers_start(image: str) -> None:
    def start(env: Mapping[str, str]) -> subprocess.Popen[bytes]:
        pass_env = [arg for name, value in env.items() for arg in ("--env", f"{name}={value}")]
        script = f"cunjing roster import {DEMO} >/dev/null && exec cunjing run"
        return subprocess.Popen([ENGINE, "run", "--rm", "--network", "host", *pass_env, image, "sh", "-c", script],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    replies = await answers_start(start, timeout=180)
    assert any("已登记您所在的村：青山村" in reply for reply in replies), replies
