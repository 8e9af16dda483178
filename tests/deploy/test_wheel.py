"""A station installs the package and runs it outside any checkout (issue 15, "Deploy").

`python -m build` makes the sdist, then the wheel from the unpacked sdist, so both are proved
complete. The wheel goes into a fresh venv with `pip install --no-deps --no-index`; that venv finds
the dependencies in this project's .venv through one .pth line (installing them from the registry
would need the network and minutes). A .pth line adds a folder without reading its own .pth files,
so the checkout's editable install stays invisible: `bot` is the wheel's (asserted below). Every
command runs in an empty folder, with no CUNJING_* or PYTHON* variable and its own XDG_STATE_HOME.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from tests.deploy.smoke import answers_start, outside_checkout_env

VERSION = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


@dataclass
class Install:
    venv: Path
    home: Path  # the station's shell: an empty folder, far from the checkout
    state: Path  # XDG_STATE_HOME

    @property
    def cunjing(self) -> str:
        return str(self.venv / "bin" / "cunjing")

    def env(self, **extra: str) -> dict[str, str]:
        return outside_checkout_env(XDG_STATE_HOME=str(self.state), HOME=str(self.home), **extra)

    def run(self, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.cunjing, *args], cwd=self.home, env=self.env(**env), input=stdin,
            capture_output=True, text=True, encoding="utf-8", timeout=300,
        )

    def python(self, code: str) -> str:
        done = subprocess.run([str(self.venv / "bin" / "python"), "-c", code], cwd=self.home, env=self.env(),
                              capture_output=True, text=True, timeout=120, check=True)
        return done.stdout.strip()


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Install:
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    build = subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(PROJECT_ROOT)],
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, f"python -m build failed:\n{build.stdout[-3000:]}\n{build.stderr[-3000:]}"
    wheels = sorted(dist.glob("cunjing-*.whl"))
    assert [p.name for p in dist.iterdir() if p.suffix == ".gz"] == [f"cunjing-{VERSION}.tar.gz"]
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    purelib = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = subprocess.run([str(venv / "bin" / "python"), "-c", purelib],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "cunjing-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    pip = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                          "--no-deps", "--no-index", "--quiet", str(wheels[-1])],
                         capture_output=True, text=True, timeout=300)
    assert pip.returncode == 0, pip.stderr
    home, state = root / "station-shell", root / "state"
    home.mkdir()
    return Install(venv, home, state)


def test_the_installed_command_is_the_wheel_and_knows_its_version(installed: Install) -> None:
    done = installed.run("--version")
    assert (done.returncode, done.stdout) == (0, f"cunjing {VERSION}\n")
    assert installed.python("import bot; print(bot.__file__)").startswith(str(installed.venv))
    assert installed.python("from bot import paths; print(paths.CHECKOUT)") == "False"


def test_the_packaged_faq_validates_and_state_goes_to_a_writable_place(installed: Install) -> None:
    content = installed.venv / "share" / "cunjing"
    assert (content / "config.yaml").is_file()

    done = installed.run("faq", "validate", "--quiet")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{content / 'faq'}: 0 error(s)" in done.stderr

    answer = installed.run("match", stdin="身份证丢了怎么办\n")
    assert '"intent": "service.id_card_lost"' in answer.stdout, answer.stderr
    assert (installed.state / "cunjing" / "cache").is_dir()  # the matcher's cache, not under share/
    assert not (content / "var").exists()


def test_init_gives_the_station_its_own_content_which_it_never_overwrites(installed: Install) -> None:
    done = installed.run("init", "station")
    station = installed.home / "station"
    assert done.returncode == 0, done.stderr
    assert f"export CUNJING_CONFIG={station / 'config.yaml'}" in done.stdout
    assert sorted(p.name for p in (station / "faq").glob("*.yaml")) == sorted(
        p.name for p in (PROJECT_ROOT / "faq").glob("*.yaml"))

    validated = installed.run("faq", "validate", "--quiet", "station/faq")
    assert validated.returncode == 0, validated.stdout + validated.stderr

    services = station / "faq" / "services.yaml"  # the station rewords an answer
    services.write_text(services.read_text(encoding="utf-8").replace(
        "身份证丢了、被偷、损坏，怎么办：", "青山派出所：身份证丢了，带户口本来补办。", 1), encoding="utf-8")
    own: Mapping[str, str] = {"CUNJING_CONFIG": str(station / "config.yaml")}
    answer = installed.run("match", stdin="身份证丢了怎么办\n", **own)
    assert '"answer": "青山派出所：身份证丢了，带户口本来补办。' in answer.stdout, answer.stdout + answer.stderr
    assert (station / "var" / "cache").is_dir()  # the station's state beside its config

    config = (station / "config.yaml").read_bytes()
    again = installed.run("init", "station")
    assert again.returncode == 2
    assert "config.yaml and faq already there; nothing written" in again.stderr
    assert (station / "config.yaml").read_bytes() == config
    assert "青山派出所" in services.read_text(encoding="utf-8")


async def test_the_installed_bot_answers_start_from_telegram(installed: Install) -> None:
    roster = installed.python("from bot.store.demo import DEMO_ROSTER; print(DEMO_ROSTER)")
    assert roster.startswith(str(installed.venv))
    imported = installed.run("roster", "import", roster)
    assert imported.returncode == 0, imported.stderr

    log = installed.home / "bot.log"

    def start(env: Mapping[str, str]) -> subprocess.Popen[bytes]:
        with log.open("wb") as out:
            return subprocess.Popen([installed.cunjing, "run"], cwd=installed.home, env=installed.env(**env),
                                    stdout=out, stderr=subprocess.STDOUT)

    try:
        replies = await answers_start(start)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; the bot's log:\n{log.read_text(errors='replace')[-4000:]}") from None
    assert any("已登记您所在的村：青山村" in reply for reply in replies), replies
