"""Small SQL helpers that hide the few places where SQLite and PostgreSQL differ."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Result, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session


def rowcount(result: Result[Any]) -> int:
    """Rows matched by an UPDATE or DELETE."""
    return cast(CursorResult[Any], result).rowcount


def insert_ignore(
    session: Session, model: type[DeclarativeBase], values: Mapping[str, Any], keys: Sequence[str]
) -> bool:
    """INSERT unless a row with the same unique `keys` exists; True when a row was inserted.

    ON CONFLICT DO NOTHING rather than catching IntegrityError: on PostgreSQL a failed INSERT
    aborts the whole transaction, and the caller's other changes with it. RETURNING tells whether
    a row went in (an INSERT's rowcount is not reliable across drivers: psycopg reports -1).
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    key = inspect(model).primary_key
    statement = insert(model).values(dict(values)).on_conflict_do_nothing(index_elements=list(keys))
    return session.execute(statement.returning(*key)).first() is not None
