"""Keep: the station backs up its database while the bot runs and villagers open requests, and
restores the backup into a fresh database: every request, audit event and outbox row is there.

SQLite through its online backup API; PostgreSQL (a database of its own, as a station has) through
pg_dump and pg_restore, when they are installed."""

from __future__ import annotations

import asyncio
import contextlib
import io
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import build_parser
from bot.commands import restore
from bot.services import Knowledge
from bot.settings import DatabaseSettings
from bot.store import backup as store_backup
from bot.store.db import make_engine, session_factory, upgrade
from bot.store.demo import load_demo
from bot.store.models import Outbox, OutboxStatus, Request, RequestEvent
from tests.conftest import PG_URL, _pg_unreachable
from tests.fakes import FakeBotApi

from .conftest import Bot, bot_settings
from .conftest import running as started

VILLAGERS = range(5101, 5121)
TABLES = (Request, RequestEvent, Outbox)


@pytest.fixture(params=["sqlite", "postgresql"])
def station(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[DatabaseSettings, DatabaseSettings]]:
    """The station's database and a fresh, empty one to restore into (PostgreSQL: two databases)."""
    if request.param == "sqlite":
        yield DatabaseSettings(path=tmp_path / "station.sqlite3"), DatabaseSettings(path=tmp_path / "fresh.sqlite3")
        return
    if reason := _pg_unreachable():
        pytest.skip(reason)
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump or pg_restore not installed (Debian: postgresql-client)")
    names = [f"cunjing_keep_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield tuple(  # type: ignore[misc]
            DatabaseSettings(url=make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
            for name in names
        )
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture
async def running(
    station: tuple[DatabaseSettings, DatabaseSettings], knowledge: Knowledge, ptb_timedelta: None
) -> AsyncIterator[Bot]:
    database, _ = station
    engine = make_engine(database)
    upgrade(engine)
    load_demo(session_factory(engine))
    async with FakeBotApi(settle_timeout=60) as api:
        try:
            async with started(api, bot_settings(database, api), session_factory(engine), knowledge) as harness:
                yield harness
        finally:
            engine.dispose()


def rows(factory: sessionmaker[Session], model: type[Any]) -> list[tuple[Any, ...]]:
    """Every row of a table, every column, in id order."""
    columns = model.__table__.columns
    with factory() as session:
        return [tuple(r) for r in session.execute(select(*columns).order_by(model.id))]


def restore_with_the_command(target: DatabaseSettings, file: Path, *flags: str) -> str:
    """`cunjing restore FILE [--force]` on the `target` database: what it prints."""
    with pytest.MonkeyPatch.context() as env, contextlib.redirect_stdout(io.StringIO()) as out:
        env.setenv("CUNJING_DATABASE__URL", target.effective_url)
        restore.run(build_parser("restore").parse_args(["restore", str(file), *flags]))
    return out.getvalue()


async def test_a_backup_taken_mid_load_restores_into_a_fresh_database_with_every_row(
    running: Bot, station: tuple[DatabaseSettings, DatabaseSettings], tmp_path: Path
) -> None:
    bot, (database, fresh) = running, station
    villagers = [await bot.registered(user_id) for user_id in VILLAGERS]

    # villagers open requests; the backup is taken while they do
    load = asyncio.gather(
        *(v.send(f"/request id_card_lost 身份证丢了，想补办（{v.id}）", settle=False) for v in villagers)
    )
    await bot.until(lambda: len(bot.requests()) >= 3, what="the first requests")
    mid_load = tmp_path / "mid-load.backup"
    await asyncio.to_thread(store_backup.backup, database, mid_load)
    await load
    await bot.until(lambda: len(bot.requests()) == len(villagers), what="every request")
    await bot.api.settle()

    assert "restored from" in restore_with_the_command(fresh, mid_load)
    restored_engine = make_engine(fresh)
    restored = session_factory(restored_engine)
    try:
        # a consistent snapshot: each request it holds has its audit trail and its cards, as written
        taken = rows(restored, Request)
        assert len(taken) >= 3
        live_events = {r[0]: r for r in rows(bot.db, RequestEvent)}
        for event in rows(restored, RequestEvent):
            assert event == live_events[event[0]]
        with restored() as session:
            created = set(session.scalars(select(RequestEvent.request_id).where(RequestEvent.action == "created")))
            cards = set(session.scalars(select(Outbox.ref)))
        assert created == {r[0] for r in taken}
        assert {f"request:{r[0]}" for r in taken} <= cards
    finally:
        restored_engine.dispose()

    # once the outbox is sent, a backup of the idle (still running) bot restores to exactly its rows
    await bot.until(lambda: all(r.status != OutboxStatus.PENDING for r in bot.outbox()), what="the outbox sent")
    idle = tmp_path / "idle.backup"
    await asyncio.to_thread(store_backup.backup, database, idle)
    with pytest.raises(store_backup.BackupError, match="not empty .* --force"):
        restore_with_the_command(fresh, idle)
    assert "restored from" in restore_with_the_command(fresh, idle, "--force")
    restored_engine = make_engine(fresh)
    try:
        for model in TABLES:
            assert rows(session_factory(restored_engine), model) == rows(bot.db, model), model.__tablename__
        assert len(rows(bot.db, Request)) == len(villagers)
    finally:
        restored_engine.dispose()
