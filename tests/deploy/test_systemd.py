"""The systemd units a station installs pass `systemd-analyze verify` and say what issue 15 asks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

UNITS = PROJECT_ROOT / "deploy" / "systemd"
INSTALLED = "/opt/cunjing/bin/cunjing"  # the venv the units name (README, "Going live")


def service(name: str) -> dict[str, str]:
    """The [Service] section; a key given more than once (Environment=) has its values joined by newlines."""
    section, found = "", {}
    for raw in (UNITS / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            found[key] = f"{found[key]}\n{value}" if key in found else value
    return found


@pytest.mark.parametrize("name", ["cunjing-bot.service", "cunjing-kiosk.service"])
def test_each_unit_restarts_always_as_an_unprivileged_user_in_station_time(name: str) -> None:
    unit = service(name)
    assert unit["Restart"] == "always"
    assert unit["User"] == "cunjing"
    assert unit["EnvironmentFile"] == "/etc/cunjing/env"  # the token: never in the unit itself
    assert "TZ=Asia/Shanghai" in unit["Environment"].splitlines()
    assert unit["NoNewPrivileges"] == "yes"
    assert unit["ExecStart"].startswith(INSTALLED + " ")


def test_only_the_kiosk_is_in_the_audio_group() -> None:
    assert service("cunjing-kiosk.service")["SupplementaryGroups"] == "audio"
    assert "SupplementaryGroups" not in service("cunjing-bot.service")


def test_systemd_analyze_verifies_both_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not installed (Debian: apt-get install systemd): units not verified")
    # verify needs ExecStart's program to exist: the copies name this test's Python's cunjing instead
    cunjing = Path(sys.executable).with_name("cunjing")
    assert cunjing.is_file(), "the project's venv has no cunjing command: pip install -e ."
    copies = []
    for unit in sorted(UNITS.glob("*.service")):
        copy = tmp_path / unit.name
        copy.write_text(unit.read_text(encoding="utf-8").replace(INSTALLED, str(cunjing)), encoding="utf-8")
        copies.append(str(copy))
    done = subprocess.run([analyze, "verify", *copies], capture_output=True, text=True, timeout=120)
    # a bad line is only a warning (exit 0): any line about our units fails the test
    ours = [line for line in done.stderr.splitlines() if "cunjing" in line]
    assert (done.returncode, ours) == (0, []), done.stderr
