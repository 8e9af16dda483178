"""A database that fails for a while delays a turn and never drops it: the villager hears once that
their message will be handled, then gets the real answer, in order, with no apology after it.

The fault is real: SQLite's write lock held by another connection beyond the busy timeout ("database
is locked"), and on PostgreSQL a table lock held beyond the bot's lock_timeout."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.services import Knowledge
from bot.settings import DatabaseSettings
from tests.fakes import FakeBotApi

from .conftest import Bot, bot_settings, running


@pytest.fixture
async def patient(
    database: DatabaseSettings, demo_db: sessionmaker[Session], knowledge: Knowledge, ptb_timedelta: None
) -> AsyncIterator[Bot]:
    """The bot; on PostgreSQL a lock it waits for more than a second is an error, as an outage is."""
    extra = {}
    if database.url:
        extra["CUNJING_DATABASE__URL"] = database.url.replace("options=", "options=-clock_timeout%3D1000%20")
    async with (
        FakeBotApi(settle_timeout=60) as api,
        running(api, bot_settings(database, api, **extra), demo_db, knowledge) as harness,
    ):
        yield harness


@contextmanager
def database_held(database: DatabaseSettings) -> Iterator[None]:
    """Another program holds the database so that the bot's writes fail until it lets go."""
    if not database.url:
        connection = sqlite3.connect(database.path, isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    engine = create_engine(database.url)
    try:
        with engine.connect() as connection:
            connection.execute(text("LOCK TABLE seen_updates IN ACCESS EXCLUSIVE MODE"))
            yield
            connection.rollback()
    finally:
        engine.dispose()


async def test_a_database_outage_delays_the_turns_and_loses_none(patient: Bot, database: DatabaseSettings):
    bot = patient
    villager = await bot.registered(5001)
    busy, sorry = bot.say("busy"), bot.say("error.generic")
    with database_held(database):
        await villager.send("/request id_card_lost 身份证在集市丢了，想补办 13912345678", settle=False)
        await villager.send("/myrequests", settle=False)
        await bot.until(lambda: busy in villager.replies, timeout=30, what="the busy notice")
    created = await bot.until(lambda: next((t for t in villager.replies if "#1" in t), None), timeout=30)
    listed = await bot.until(lambda: [t for t in villager.replies if t.startswith(bot.say("myrequests.header"))],
                             timeout=30, what="the answer to the second message")
    await bot.api.settle()
    assert villager.replies.count(busy) == 1 and sorry not in villager.replies
    after = villager.replies[villager.replies.index(busy):]
    assert after.index(created) < after.index(listed[0])  # in the order they were sent
    assert "#1" in listed[0] and len(bot.requests()) == 1
    await bot.cards_for(bot.officer(1001), 1)  # the officer got the request, once
