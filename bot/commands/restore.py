"""`cunjing restore FILE`: the configured database replaced by a backup (the bot stopped)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.settings import load_settings
from bot.store import backup as store_backup
from bot.store import db


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("restore", help="restore the database from a backup FILE (stop the bot first)")
    p.add_argument("file", type=Path, metavar="FILE", help="a file written by `cunjing backup`")
    p.add_argument("--force", action="store_true", help="replace a database that holds data")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings().database
    store_backup.restore(settings, args.file, force=args.force)
    engine = db.make_engine(settings)
    try:
        _, revision = db.upgrade(engine)  # a backup of an older version: brought up to this one's schema
    finally:
        engine.dispose()
    where = make_url(settings.effective_url).render_as_string(hide_password=True)
    print(f"{where}: restored from {args.file} (schema revision {revision})")
    return 0
