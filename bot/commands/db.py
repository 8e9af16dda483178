"""`cunjing db upgrade`: bring the configured database's schema up to date (the bot does it at start too)."""

from __future__ import annotations

import argparse

from sqlalchemy.engine import make_url

from bot.settings import load_settings
from bot.store import db


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("db", help="database maintenance: apply migrations")
    actions = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    up = actions.add_parser("upgrade", help="apply pending migrations to the configured database")
    up.set_defaults(run=upgrade)
    rev = actions.add_parser("revision", help="(developers) write a migration from the models' changes")
    rev.add_argument("-m", "--message", required=True, help="what the migration changes")
    rev.set_defaults(run=revision)


def upgrade(args: argparse.Namespace) -> int:
    settings = load_settings().database
    engine = db.make_engine(settings)
    try:
        before, after = db.upgrade(engine)
    finally:
        engine.dispose()
    where = make_url(settings.effective_url).render_as_string(hide_password=True)
    if before == after:
        print(f"{where}: already up to date (revision {after})")
    else:
        print(f"{where}: upgraded from {before or 'an empty database'} to revision {after}")
    return 0


def revision(args: argparse.Namespace) -> int:
    engine = db.make_engine(load_settings().database)
    try:
        db.upgrade(engine)  # autogenerate compares with an up-to-date schema
        db.revision(engine, args.message)
    finally:
        engine.dispose()
    return 0
