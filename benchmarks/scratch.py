"""A scratch database for a benchmark: a temporary SQLite file, or a schema of its own in PostgreSQL;
and the conversation core on it with the demo roster, as the tests build it."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.core.conversation import Conversation
from bot.services import KnowledgeHolder, Services
from bot.settings import DatabaseSettings, load_settings
from bot.store import db
from bot.store.demo import load_demo


@contextlib.contextmanager
def scratch_database(url: str, workdir: Path) -> Iterator[DatabaseSettings]:
    """A temporary SQLite file, or a schema of its own in the PostgreSQL database at `url` (dropped after)."""
    if not url.startswith("postgresql"):
        yield DatabaseSettings(url=url, path=workdir / "bench.sqlite3")
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield DatabaseSettings(url=f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextlib.contextmanager
def scratch_core(url: str, workdir: Path, env: Mapping[str, str] = {}) -> Iterator[Conversation]:  # noqa: B006
    """`Conversation` on a migrated scratch database with the demo roster; reports go to `workdir`."""
    with scratch_database(url, workdir) as database:
        settings = load_settings(
            env={"CUNJING_DATABASE__URL": database.effective_url, "CUNJING_REPORT__DIR": str(workdir), **env}
        )
        engine = db.make_engine(settings.database)
        db.upgrade(engine)
        factory = db.session_factory(engine)
        load_demo(factory)
        try:
            yield Conversation(Services(settings, KnowledgeHolder(settings), factory))
        finally:
            engine.dispose()
