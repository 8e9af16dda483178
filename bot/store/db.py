"""Engines, sessions and migrations: SQLite embedded by default, PostgreSQL by URL."""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import SettingsError
from bot.settings import DatabaseSettings

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_MS = 5000
# Any constant will do: it only has to be the same for every worker upgrading one database.
_PG_MIGRATION_LOCK = 0x43554E4A
SETTING = "cunjing_setting"  # the engine's execution option naming the setting it was made from


def make_engine(settings: DatabaseSettings) -> Engine:
    """An engine for the configured database (the SQLite file's directory is created). A database
    that cannot be made or opened is a SettingsError naming the setting, when made or first opened."""
    setting = "database.url" if settings.url else "database.path"
    # the setting travels with the engine (SQLAlchemy lets execution options carry one's own keys),
    # so that connect() can name it
    options = {"echo": settings.echo, "execution_options": {SETTING: setting}}
    try:
        url = make_url(settings.effective_url)
        if url.drivername == "postgresql":
            # psycopg 3 is the driver we ship with, not SQLAlchemy's default psycopg2
            url = url.set(drivername="postgresql+psycopg")
        if url.get_backend_name() != "sqlite":
            return create_engine(url, pool_pre_ping=True, **options)
    except (ArgumentError, ImportError) as exc:  # not a URL, or a database we have no driver for
        raise SettingsError(f"{setting}: cannot use this database: {exc}") from None
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        folder = Path(url.database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SettingsError(f"{setting}: cannot make the folder {folder}: {exc.strerror or exc}") from None
    connect_args = {"timeout": SQLITE_BUSY_MS / 1000, "factory": WriterConnection}
    engine = create_engine(url, connect_args=connect_args, **options)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


class WriterConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions take turns, promptly and fairly.

    SQLite lets one writer in at a time; the others wait in its busy handler, which sleeps and
    retries (1, 2, 5 … 100 ms). Under load the waiters oversleep, so one of the bot's threads could
    miss the write lock for seconds and fail with "database is locked". A lock per database file in
    this process hands the turn over at once, in order.

    Between processes (the channel and the core write the same file) the same happened: a core
    taking turn after turn left the channel's inbox in SQLite's busy handler until it gave up
    ("database is locked" after 5 s, benchmarks/writers.py). So two lock files beside the database
    do across processes what the lock does within one: the writer lock, and a turnstile before it.
    A writer takes the turnstile, then the writer lock, then lets the turnstile go: whoever waits at
    the writer lock holds the turnstile, so the writer that just finished queues behind it instead
    of taking the lock again. Both are tried every millisecond at most (a blocking flock could not
    be given up after the busy timeout). Programs that take neither (a backup, the kiosk) still
    meet SQLite's own lock, which is what keeps the data safe.
    """

    writers: threading.Lock
    lock_files: tuple[int, int] | None = None  # this process's descriptors: the writer lock, the turnstile
    holding = False
    locked = False

    def begin_immediate(self) -> None:
        # bounded as SQLite's own wait is, so a lock never released (a bug) cannot stop every writer
        deadline = time.monotonic() + SQLITE_BUSY_MS / 1000
        self.holding = self.writers.acquire(timeout=SQLITE_BUSY_MS / 1000)
        try:
            if self.holding and self.lock_files is not None:
                writer, turnstile = self.lock_files
                queued = _lock(turnstile, deadline)
                try:
                    self.locked = _lock(writer, deadline)
                finally:
                    if queued:
                        fcntl.flock(turnstile, fcntl.LOCK_UN)
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._let_go()
            raise

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._let_go()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._let_go()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._let_go()

    def _let_go(self) -> None:
        if self.locked and self.lock_files is not None:
            self.locked = False
            fcntl.flock(self.lock_files[0], fcntl.LOCK_UN)
        if self.holding:
            self.holding = False
            self.writers.release()


def _lock(descriptor: int, deadline: float) -> bool:
    """Take a lock file, trying again after 0.1 ms, doubling to 1 ms, until the deadline (then
    False: SQLite's own wait decides)."""
    pause = 0.0001
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 2, 0.001)


_WRITERS: dict[str, tuple[threading.Lock, tuple[int, int] | None]] = {}
_WRITERS_GUARD = threading.Lock()


def _writers_of(path: str) -> tuple[threading.Lock, tuple[int, int] | None]:
    """The one writers' lock of a database file in this process, whichever engine opens it, and
    the process's descriptors of the lock files beside it (None when they cannot be made)."""
    if not path:  # an in-memory database is the connection's own: nobody to take turns with
        return threading.Lock(), None
    key = f"{os.getpid()}:{Path(path).resolve()}"  # a forked child opens its own (flock is per open file)
    with _WRITERS_GUARD:
        if key not in _WRITERS:
            files: tuple[int, int] | None
            try:
                flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
                files = (os.open(f"{path}-writer", flags, 0o600), os.open(f"{path}-turnstile", flags, 0o600))
            except OSError as exc:
                log.info("no writers' lock files beside %s (%s): SQLite's own lock alone", path, exc.strerror)
                files = None
            _WRITERS[key] = (threading.Lock(), files)
        return _WRITERS[key]


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy emits BEGIN itself (see _sqlite_begin), so the driver must not
    dbapi_connection.isolation_level = None
    if isinstance(dbapi_connection, WriterConnection):
        dbapi_connection.writers, dbapi_connection.lock_files = _writers_of(_database_file(dbapi_connection))
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; durable up to the last checkpoint
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # IMMEDIATE takes the write lock at the start: a transaction that read first and writes later
    # would otherwise fail at once with "database is locked" instead of waiting its turn.
    dbapi_connection = connection.connection.dbapi_connection
    if isinstance(dbapi_connection, WriterConnection):
        dbapi_connection.begin_immediate()
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _database_file(connection: sqlite3.Connection) -> str:
    """The file behind a connection ("" for an in-memory database)."""
    for _seq, name, file in connection.execute("PRAGMA database_list"):
        if name == "main":
            return str(file or "")
    return ""


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for units of work: `with factory.begin() as session: ...` commits or rolls back."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration in code: no alembic.ini, works from any directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # v0002_add_something.py: a valid module name, in the order the migrations apply
    config.set_main_option("file_template", "v%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest migration's revision id."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None when it has never been migrated)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def connect(engine: Engine) -> Connection:
    """A connection; a database that cannot be reached or opened is a SettingsError of one line,
    naming the setting, the database (without its password) and the reason."""
    try:
        return engine.connect()
    except DBAPIError as exc:
        setting = engine.get_execution_options().get(SETTING, "database.url")
        where = engine.url.database if setting == "database.path" else engine.url.render_as_string(hide_password=True)
        reason = " ".join(str(exc.orig or exc).split())  # psycopg's reasons run over lines
        raise SettingsError(f"{setting}: cannot open the database {where}: {reason}") from None


def upgrade(engine: Engine) -> tuple[str | None, str | None]:
    """Apply pending migrations (a no-op when at head); returns (revision before, revision after).
    Every command opens its database here first: one that cannot be opened is a SettingsError."""
    with connect(engine) as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            # workers starting together must not run the same migration twice
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        before = MigrationContext.configure(connection).get_current_revision()
        command.upgrade(alembic_config(connection), "head")
        after = MigrationContext.configure(connection).get_current_revision()
    if before != after:
        log.info("database migrated from %s to %s", before or "empty", after)
    return before, after


def revision(engine: Engine, message: str) -> None:
    """Write a new migration autogenerated from the difference between the models and the database."""
    head = head_revision()
    number = f"{int(head) + 1:04d}" if head and head.isdigit() else None
    with engine.begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True, rev_id=number)
