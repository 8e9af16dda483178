"""Where the content and the state live: a checkout, or an installed wheel.

In a checkout (config.yaml beside the packages) both are the project's own: `config.yaml`,
`faq/` and `var/` at its root. Installed from a wheel or sdist, the shipped `config.yaml` and
`faq/` are read-only data files under `<prefix>/share/cunjing` (pyproject.toml's data-files),
and what the bot writes goes to `$XDG_STATE_HOME/cunjing` (default `~/.local/state/cunjing`).
A station edits neither: `cunjing init DIR` copies both into a folder it owns, and
`CUNJING_CONFIG=DIR/config.yaml` makes that folder the content and (through the relative
`var/...` paths in the file) the state, so an upgrade never overwrites the station's edits.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTION = "cunjing"
DATA_DIR = "share/cunjing"  # the data-files folder in pyproject.toml, relative to the install prefix


def in_checkout(root: Path = PROJECT_ROOT) -> bool:
    """True when the packages run from the project's source tree (an editable install included)."""
    return (root / "config.yaml").is_file() and (root / "faq").is_dir()


def installed_content() -> Path:
    """`share/cunjing` of the installed distribution: found through its RECORD, so a venv, a
    `--user` install and a system prefix all work; the running prefix when it is not recorded."""
    try:
        files = metadata.distribution(DISTRIBUTION).files or []
    except metadata.PackageNotFoundError:
        files = []
    for file in files:
        if file.name == "config.yaml" and file.as_posix().endswith(f"{DATA_DIR}/config.yaml"):
            return Path(str(file.locate())).resolve().parent
    return Path(sys.prefix) / DATA_DIR


def state_home(env: Mapping[str, str] | None = None) -> Path:
    """`$XDG_STATE_HOME/cunjing`, by default `~/.local/state/cunjing`."""
    env = os.environ if env is None else env
    base = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "cunjing"


CHECKOUT = in_checkout()
CONTENT = PROJECT_ROOT if CHECKOUT else installed_content()  # config.yaml and faq/
VAR = PROJECT_ROOT / "var" if CHECKOUT else state_home()  # databases, caches, reports


def version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # a checkout on PYTHONPATH, never installed
        return "0+unknown"
