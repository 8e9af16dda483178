"""The schema comes from the migrations, matches the models, and keeps its promises."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.store.db import current_revision, head_revision, upgrade
from bot.store.models import Assignment, Base, Officer, Town, Village


def test_upgrade_creates_every_table_and_is_idempotent(engine: Engine) -> None:
    assert current_revision(engine) is None
    assert upgrade(engine) == (None, head_revision())
    assert upgrade(engine) == (head_revision(), head_revision())
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_at_most_one_open_primary_assignment_per_village(factory: sessionmaker[Session]) -> None:
    now = datetime.now(UTC)
    with factory.begin() as session:
        village = Village(code="T1", name="t", town=Town(name="town"))
        first, second = Officer(name="a", phone="13800000001"), Officer(name="b", phone="13800000002")
        session.add_all([village, first, second])
        session.flush()
        session.add(Assignment(officer_id=first.id, village_id=village.id, start_at=now, end_at=now))
        session.add(Assignment(officer_id=second.id, village_id=village.id, start_at=now))
        session.add(Assignment(officer_id=first.id, village_id=village.id, primary=False, start_at=now))
    with pytest.raises(IntegrityError), factory.begin() as session:
        session.add(Assignment(officer_id=first.id, village_id=village.id, start_at=now))


def test_datetimes_come_back_aware_in_utc(factory: sessionmaker[Session]) -> None:
    local = datetime(2024, 5, 1, 16, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with factory.begin() as session:
        officer = Officer(name="a", phone="13800000001")
        village = Village(code="T1", name="t", town=Town(name="town"))
        session.add_all([officer, village])
        session.flush()
        session.add(Assignment(officer_id=officer.id, village_id=village.id, start_at=local))
    with factory() as session:
        stored = session.scalars(select(Assignment.start_at)).one()
        later = session.scalars(select(Assignment.id).where(Assignment.start_at > local - timedelta(seconds=1))).all()
    assert stored == local
    assert stored.tzinfo is UTC
    assert len(later) == 1  # comparisons in SQL use the same UTC form


def test_naive_datetimes_are_refused(factory: sessionmaker[Session]) -> None:
    with pytest.raises(Exception, match="naive datetime"), factory.begin() as session:
        officer = Officer(name="a", phone="13800000001")
        village = Village(code="T1", name="t", town=Town(name="town"))
        session.add_all([officer, village])
        session.flush()
        session.add(Assignment(officer_id=officer.id, village_id=village.id, start_at=datetime(2024, 1, 1)))
        session.flush()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(factory: sessionmaker[Session]) -> None:
    with factory() as session:
        if session.get_bind().dialect.name != "sqlite":
            pytest.skip("SQLite pragmas")
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with pytest.raises(IntegrityError), factory.begin() as session:
        session.add(Village(code="X", name="x", town_id=999))
