"""`cunjing init DIR`: a station's own copy of config.yaml and faq/, which an upgrade never touches.

The shipped config.yaml already names its paths relative to itself (`faq`, `var/...`), so the copy
in DIR reads DIR/faq and writes DIR/var once `CUNJING_CONFIG=DIR/config.yaml` names it."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from bot import paths
from bot.errors import CunjingError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="write a station's editable config.yaml and faq/ into a folder")
    p.add_argument("dir", type=Path, help="the station's folder (created if missing)")
    p.set_defaults(run=init)


def init(args: argparse.Namespace) -> int:
    target = write_station(args.dir, paths.CONTENT)
    config = (target / "config.yaml").resolve()
    print(f"{target}: wrote config.yaml and faq/ (cunjing {paths.version()})")
    print(f"Use them with: export CUNJING_CONFIG={config}")
    return 0


def write_station(directory: Path, content: Path) -> Path:
    """Copy `content`'s config.yaml and faq/ into `directory`; refuse if either is there already."""
    directory = directory.expanduser()
    existing = [name for name in ("config.yaml", "faq") if (directory / name).exists()]
    if existing:
        raise CunjingError(f"{directory}: {' and '.join(existing)} already there; nothing written (never overwritten)")
    faq = content / "faq"
    if not (content / "config.yaml").is_file() or not faq.is_dir():
        raise CunjingError(f"{content}: the packaged config.yaml and faq/ are missing; reinstall cunjing")
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copytree(faq, directory / "faq", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    header = f"# Written by `cunjing init` from cunjing {paths.version()}'s defaults: this station's own copy.\n"
    text = (content / "config.yaml").read_text(encoding="utf-8")
    (directory / "config.yaml").write_text(header + text, encoding="utf-8")
    for copied in [directory / "config.yaml", *(directory / "faq").rglob("*")]:
        copied.chmod(copied.stat().st_mode | 0o200)  # editable even when the packaged files are read-only
    return directory
