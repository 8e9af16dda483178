"""`cunjing backup FILE`: a consistent copy of the configured database, taken while the bot runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.settings import load_settings
from bot.store import backup as store_backup


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="back up the database to FILE (safe while the bot runs)")
    p.add_argument("file", type=Path, metavar="FILE", help="the backup to write (SQLite: a database file; "
                   "PostgreSQL: pg_dump's custom format)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings().database
    store_backup.backup(settings, args.file)
    where = make_url(settings.effective_url).render_as_string(hide_password=True)
    print(f"{where}: backed up to {args.file} ({args.file.stat().st_size:,} bytes)")
    return 0
