"""Which database errors are a passing fault (the server restarting, a lock held too long, a full
disk) rather than a bug: a turn that meets one changed nothing and is tried again later."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

try:  # PostgreSQL's driver is an optional extra (`cunjing[postgres]`)
    from psycopg import OperationalError as PgOperationalError

    _DRIVER_ERRORS: tuple[type[Exception], ...] = (sqlite3.OperationalError, PgOperationalError)
except ImportError:
    _DRIVER_ERRORS = (sqlite3.OperationalError,)

# SQLite reports a missing table or a bad statement as an OperationalError too: those are bugs
# (an unmigrated database), never cured by waiting.
_PERMANENT = ("no such table", "no such column", "syntax error", "has no column")


def transient(exc: BaseException) -> bool:
    """Whether `exc` is the database failing for now, not the turn being wrong."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, (OperationalError, InterfaceError)):
        return not any(words in str(exc.orig).lower() for words in _PERMANENT)
    # the driver's own, where SQLAlchemy does not wrap it (SQLite's BEGIN IMMEDIATE in db.py)
    if isinstance(exc, _DRIVER_ERRORS):
        return not any(words in str(exc).lower() for words in _PERMANENT)
    return False


def describe(exc: BaseException) -> str:
    """The driver's own words, one line: what a log needs (the SQL and parameters stay out of it)."""
    words = str(exc.orig) if isinstance(exc, DBAPIError) else str(exc)
    return " ".join(words.split())[:200]
