"""The image a station pulls or builds: `docker build`, then the smoke test inside it
(`cunjing --version`, `cunjing faq validate`, the bot answering `/start` from the fake Bot API).
Where no Docker daemon answers (this project's CI machine: a client, no daemon), it skips in one line."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from collections.abc import Iterator, Mapping

import pytest

from bot.settings import PROJECT_ROOT
from tests.deploy.smoke import answers_start

TAG = "cunjing:smoke-test"
VERSION = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
DEMO = "$(python -c 'from bot.store.demo import DEMO_ROSTER; print(DEMO_ROSTER)')"


def daemon_missing() -> str | None:
    if shutil.which("docker") is None:
        return "no docker command"
    info = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True,
                          timeout=60)
    if info.returncode != 0:
        return (info.stderr.strip().splitlines() or ["docker info failed"])[-1]
    return None


if reason := daemon_missing():
    pytest.skip(f"no Docker daemon, image not built ({reason}); compose.yaml is checked by test_compose.py",
                allow_module_level=True)


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    build = subprocess.run(["docker", "build", "--tag", TAG, str(PROJECT_ROOT)], capture_output=True, text=True,
                           timeout=3600)
    assert build.returncode == 0, build.stderr[-4000:]
    yield TAG
    subprocess.run(["docker", "image", "rm", "--force", TAG], capture_output=True, timeout=300)


def in_image(image: str, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", "run", "--rm", image, *command], capture_output=True, text=True,
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
        return subprocess.Popen(["docker", "run", "--rm", "--network", "host", *pass_env, image, "sh", "-c", script],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    replies = await answers_start(start, timeout=180)
    assert any("已登记您所在的村：青山村" in reply for reply in replies), replies
