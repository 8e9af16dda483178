"""Backups of the station's database, taken while the bot runs, and their restore.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot, WAL
included, while the bot goes on writing; copying the file is no backup (the WAL beside it holds the
latest transactions, and a copy taken mid-write may be torn). PostgreSQL: `pg_dump -Fc` (one
consistent snapshot) and `pg_restore --clean`, with the URL in libpq's form and the password in
PGPASSWORD, never in argv (where `ps` shows it to every user of the machine).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect, select, table
from sqlalchemy.engine import URL, make_url

from bot.errors import CunjingError
from bot.settings import DatabaseSettings
from bot.store import db


class BackupError(CunjingError):
    """A backup or restore that could not be done; the message says why."""


def backup(settings: DatabaseSettings, out: Path) -> None:
    """Write a backup of the configured database to `out` (replaced only once complete)."""
    url = make_url(settings.effective_url)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    if url.get_backend_name() == "sqlite":
        source = _sqlite_path(url)
        if not source.exists():
            raise BackupError(f"{source}: no database to back up")
        with _sqlite(source) as src, _sqlite(partial) as dst:
            src.backup(dst)  # all pages in one step: one snapshot, under a read lock that writers in WAL mode ignore
    else:
        uri, env = libpq(url)
        _run(["pg_dump", "--format=custom", f"--file={partial}", f"--dbname={uri}"], env)
    os.replace(partial, out)


def restore(settings: DatabaseSettings, file: Path, *, force: bool = False) -> None:
    """Replace the configured database's contents with the backup `file`. The bot must be stopped.
    A database holding any row is kept unless `force`."""
    if not file.is_file():
        raise BackupError(f"{file}: no such backup file")
    if not force and (busy := holding_rows(settings)):
        raise BackupError(
            f"the database is not empty ({busy} has rows): restore over it only with --force, the bot stopped"
        )
    url = make_url(settings.effective_url)
    if url.get_backend_name() == "sqlite":
        with _sqlite(file) as src:
            try:
                found = src.execute("SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'").fetchone()
            except sqlite3.DatabaseError as exc:
                raise BackupError(f"{file}: not an SQLite backup ({exc})") from None
            if not found or not found[0]:
                raise BackupError(f"{file}: not a Cunjing database (no alembic_version table)")
            target = _sqlite_path(url)
            target.parent.mkdir(parents=True, exist_ok=True)
            with _sqlite(target) as dst:
                src.backup(dst)  # page by page into the target, under its write lock
    else:
        uri, env = libpq(url)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", f"--dbname={uri}",
              str(file)], env)


def holding_rows(settings: DatabaseSettings) -> str | None:
    """The first table with a row (the migrations' own bookkeeping aside), None when there is none."""
    engine = db.make_engine(settings)
    try:
        with engine.connect() as connection:
            for name in sorted(inspect(connection).get_table_names()):
                if name != "alembic_version" and connection.execute(select(1).select_from(table(name))).first():
                    return name
    finally:
        engine.dispose()
    return None


def libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The URL as libpq reads it (`postgresql://user@host:port/db?options=...`) and the environment
    for the tools: the password, when the URL has one, as PGPASSWORD."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _run(argv: list[str], env: dict[str, str]) -> None:
    if shutil.which(argv[0]) is None:
        raise BackupError(f"{argv[0]} not found: install PostgreSQL's client tools (Debian: postgresql-client)")
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{argv[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError(f"cannot back up or restore the SQLite database {url.database!r}: give it a file")
    return Path(url.database).expanduser()


def _sqlite(path: Path) -> contextlib.closing[sqlite3.Connection]:
    return contextlib.closing(sqlite3.connect(path))  # sqlite3's own `with` commits, never closes
