"""Two workers behind one reverse proxy, on one PostgreSQL, behave as one bot: Telegram's limits
are kept by whichever holds the send lease (no 429), every villager gets an alert once, and when
that worker is killed -9 mid-alert the other takes the lease and finishes it: none twice, none missed."""

from __future__ import annotations

import os
import signal
import subprocess
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import DatabaseSettings
from bot.store.db import make_engine, session_factory
from bot.store.models_outreach import AlertDelivery
from tests.fakes import FakeBotApi

from .as_run import until
from .as_workers import ADMIN, FIRST, add_villagers, alert_status, lease_holder_pid, proxy, queue_alert, workers

pytestmark = [pytest.mark.asyncio, pytest.mark.parametrize("database", ["postgresql"], indirect=True)]

VILLAGERS = 240  # eight seconds at Telegram's 30 a second


@pytest.fixture
def db(database: DatabaseSettings) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database)
    yield session_factory(engine)
    engine.dispose()


@asynccontextmanager
async def alert_under_way(
    api: FakeBotApi, tmp_path: Path, database: DatabaseSettings, db: sessionmaker[Session]
) -> AsyncIterator[tuple[list[subprocess.Popen[bytes]], list[int], int]]:
    """Two workers behind the proxy, both webhooks set, the villagers known and an alert queued:
    the workers' processes, the villagers' chats and the alert's number."""
    api.user(ADMIN, "管理员")
    with workers(api, tmp_path, database, 2) as (processes, listeners):
        async with proxy(api, listeners) as telegram:
            await until(lambda: api.counts["setWebhook"] >= 2 and telegram.target() is not None, 60)
            ids = add_villagers(db, VILLAGERS)
            yield processes, ids, queue_alert(db)


def alerted(api: FakeBotApi) -> Counter[int]:
    """How many alert messages each villager's chat got."""
    return Counter(m.chat_id for m in api.messages if m.chat_id >= FIRST)


async def test_two_workers_send_an_alert_once_to_everyone_within_telegrams_limits(
    tmp_path: Path, database: DatabaseSettings, db: sessionmaker[Session]
) -> None:
    async with (
        FakeBotApi(enforce_limits=True, strict_chats=False, settle_timeout=30) as api,
        alert_under_way(api, tmp_path, database, db) as (processes, ids, number),
    ):
        await until(lambda: alert_status(db, number) == "done" or api.count_429, 60)
        assert all(p.poll() is None for p in processes)

    assert alerted(api) == Counter({chat: 1 for chat in ids})
    assert api.count_429 == 0, api.limit_hits[:5]


async def test_killing_the_sending_worker_mid_alert_loses_and_doubles_nothing(
    tmp_path: Path, database: DatabaseSettings, db: sessionmaker[Session]
) -> None:
    async with (
        FakeBotApi(enforce_limits=True, strict_chats=False, settle_timeout=30) as api,
        alert_under_way(api, tmp_path, database, db) as (processes, ids, number),
    ):
        await until(lambda: len(alerted(api)) >= VILLAGERS // 3, 60)
        sender = lease_holder_pid(db)
        [killed] = [p for p in processes if p.pid == sender]
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait()
        sent_before = len(alerted(api))
        [survivor] = [p for p in processes if p is not killed]
        # the lease runs out (10 s), the survivor takes it at its next renewal (every 2 s)
        await until(lambda: lease_holder_pid(db) == survivor.pid, 15, survivor)
        await until(lambda: alert_status(db, number) == "done", 60, survivor)

    assert sent_before < VILLAGERS  # killed mid-alert
    got = alerted(api)
    assert [chat for chat, n in got.items() if n > 1] == []  # duplicates
    # lost: none, but for a send the killed worker had recorded as started and Telegram had not yet
    # received (a millisecond's window): alerts go at most once, so it is reported, not sent again
    missing = set(ids) - set(got)
    assert missing <= unknown(db, number) and len(missing) <= 1, sorted(missing)
    assert api.count_429 == 0, api.limit_hits[:5]


def unknown(db: sessionmaker[Session], number: int) -> set[int]:
    """The chats whose alert's outcome is unknown (the sender died during the call): not sent again."""
    with db() as session:
        rows = session.scalars(
            select(AlertDelivery.chat_id).where(
                AlertDelivery.alert_id == number, AlertDelivery.error.like("outcome unknown%")
            )
        )
        return set(rows)
