"""Hostile updates, thousands of them, on SQLite and PostgreSQL: every one is answered (or silent
for a reason given in `hostile.silent_by_design`), and none crashes the turn.

The updates (tests/bot/core/hostile.py) are every kind of message, every command with arguments
such as `99999999999999999999`, `①` and `²`, every button with forged data, NUL and other control
characters, lone surrogates and messages of 60,000 characters, from villagers, officers and the
admin, in private chats, at the duty desks and in a village group. They run one after another on
one database, so that requests, alerts and conversation states pile up as they would.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.types import Incoming

from .conftest import World
from .hostile import ADMIN_ENV, incoming, silent_by_design


@pytest.fixture
def world(make_world, tmp_path) -> World:
    return make_world(CUNJING_REPORT__DIR=str(tmp_path / "reports"), **ADMIN_ENV)


@pytest.fixture
def update_ids() -> Iterator[int]:
    return itertools.count(1)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same updates on every run: CI stays stable
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_every_hostile_update_gets_an_answer_and_nothing_crashes(world: World, update_ids: Iterator[int], data):
    conversation = world.conversation
    updates = incoming(tuple(sorted(conversation.commands)), tuple(sorted(conversation.buttons)))
    said: dict[int, list[str]] = {}  # update id -> what the bot answered
    last: Incoming | None = None
    for msg in data.draw(st.lists(updates, min_size=1, max_size=6), label="updates"):
        again = last is not None and data.draw(st.sampled_from((False,) * 9 + (True,)), label="sent again")
        if again:
            assert last is not None
            msg = last  # Telegram delivers the same update twice
        else:
            msg = with_id(msg, next(update_ids))
        last = msg
        outcome = conversation.handle(msg)
        if outcome.queued:
            asyncio.run(world.dispatcher.drain())  # the cards and notes reach the other side
        texts = [reply.text for reply in outcome.replies]
        assert all("\x00" not in text for text in texts)
        assert msg.update_id is not None
        if again:
            # ignored; or, when the first delivery was rolled back (a user's mistake), answered alike
            assert texts in ([], said[msg.update_id]), "a duplicate update changes nothing"
        elif silent_by_design(msg) is None:
            assert texts and all(texts), f"no answer to {msg!r:.300}"
        said[msg.update_id] = texts


def with_id(msg: Incoming, update_id: int) -> Incoming:
    return replace(msg, update_id=update_id)
