"""Small SQL helpers that hide the few places where SQLite and PostgreSQL differ."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, Result, Table
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
    connection = session.connection()
    statement = _insert_ignore(connection.dialect.name, table_of(model), tuple(keys))
    return connection.execute(statement, dict(values)).first() is not None


def insert_row(session: Session, model: type[DeclarativeBase], values: Mapping[str, Any]) -> None:
    """INSERT one row that nothing in this unit of work reads back as an object (a log line)."""
    session.connection().execute(_insert(table_of(model)), dict(values))


def table_of(model: type[DeclarativeBase]) -> Table:
    return cast(Table, model.__table__)


# Statements built once and given their values at execution: SQLAlchemy then finds the compiled
# SQL in its cache at once. Core rather than the ORM: these rows are written, never loaded back as
# objects in the same turn, and the ORM's unit of work costs several times as much per row.
@cache
def _insert_ignore(dialect: str, table: Table, keys: tuple[str, ...]) -> Executable:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing(index_elements=list(keys)).returning(*table.primary_key.columns)


@cache
def _insert(table: Table) -> Executable:
    return table.insert()
