"""Database fixtures: a test asking for `engine` or `factory` runs on SQLite and on PostgreSQL.

PostgreSQL is `CUNJING_TEST_PG_URL` (default: the CI server, trust auth); when it cannot be reached
the PostgreSQL run is skipped with the reason. Each PostgreSQL test gets a fresh schema, dropped after.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import DatabaseSettings
from bot.store.db import make_engine, session_factory, upgrade

PG_URL = os.environ.get("CUNJING_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@functools.cache
def _pg_unreachable() -> str | None:
    engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return None
    except Exception as exc:  # any failure to connect means: skip, and say why
        return f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}: {str(exc).strip()[:200]}"
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseSettings]:
    """Settings of an empty database of each kind."""
    if request.param == "sqlite":
        yield DatabaseSettings(path=tmp_path_factory.mktemp("db") / "var" / "test.sqlite3")
        return
    reason = _pg_unreachable()
    if reason:
        pytest.skip(reason)
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        # every connection of the test's engine works inside its own schema
        yield DatabaseSettings(url=f"{PG_URL}?options=-csearch_path%3D{schema}")
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@pytest.fixture
def engine(database: DatabaseSettings) -> Iterator[Engine]:
    """An engine on an empty, unmigrated database."""
    engine = make_engine(database)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory on a migrated, empty database."""
    upgrade(engine)
    return session_factory(engine)
