"""The inbox records a poll's updates in one go, and lets each through the queue once.

A getUpdates answer is recorded as it arrives; the queue then passes its new updates without a
transaction each, drops those recorded at an earlier fetch (Telegram sending them again), and
records alone what came another way (a webhook's update). Handled marks go in batches.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from telegram import Update

from bot.channels.telegram.inbox import Inbox, InboxQueue
from bot.store import inbox as store
from bot.store.models import InboxUpdate

pytestmark = pytest.mark.asyncio


def message(update_id: int, text: str) -> dict[str, object]:
    chat = {"id": 7, "type": "private", "first_name": "村民"}
    return {
        "update_id": update_id,
        "message": {"message_id": update_id, "date": 0, "chat": chat, "from": {**chat, "is_bot": False}, "text": text},
    }


def answer(*updates: dict[str, object]) -> bytes:
    return json.dumps({"ok": True, "result": list(updates)}, ensure_ascii=False).encode()


def queued(queue: InboxQueue) -> list[int]:
    out = []
    while not queue.empty():
        item = queue.get_nowait()
        assert isinstance(item, Update)
        out.append(item.update_id)
    return out


def rows(factory: sessionmaker[Session]) -> dict[int, bool]:
    with factory() as session:
        return {u.update_id: u.handled_at is not None for u in session.scalars(select(InboxUpdate))}


async def test_a_poll_is_recorded_at_once_and_each_update_queued_once(factory: sessionmaker[Session]) -> None:
    queue = InboxQueue()
    queue.inbox = Inbox(factory)
    first = [message(i, f"问题{i}") for i in (10, 11, 12)]
    await queue.record_batch(answer(*first))
    assert rows(factory) == {10: False, 11: False, 12: False}
    for raw in first:
        await queue.put(Update.de_json(raw, None))
    assert queued(queue) == [10, 11, 12]
    # Telegram sends 12 again with a new one (the bot was killed before it acknowledged 12; the
    # start queued 12 from the inbox already)
    await queue.record_batch(answer(first[2], message(13, "新问题")))
    for raw in (first[2], message(13, "新问题")):
        await queue.put(Update.de_json(raw, None))
    assert queued(queue) == [13]
    # the raw update kept is what Telegram sent, readable again at a start
    with factory() as session:
        kept = dict(store.unhandled(session))
    assert json.loads(kept[13])["message"]["text"] == "新问题"


async def test_an_update_that_came_alone_is_recorded_by_the_queue(factory: sessionmaker[Session]) -> None:
    queue = InboxQueue()
    queue.inbox = Inbox(factory)
    update = Update.de_json(message(20, "网上来的"), None)
    await queue.put(update)
    await queue.put(update)  # the webhook's POST again: recorded before, not handled twice
    assert queued(queue) == [20]
    assert rows(factory) == {20: False}


async def test_a_batch_the_database_refuses_is_left_to_the_queue(factory: sessionmaker[Session]) -> None:
    queue = InboxQueue()
    queue.inbox = Inbox(factory)
    await queue.record_batch(b"{not json")  # nothing recorded, nothing raised
    await queue.record_batch(answer({"update_id": "x"}))
    assert rows(factory) == {}
    await queue.put(Update.de_json(message(30, "还在"), None))
    assert queued(queue) == [30]
    assert rows(factory) == {30: False}


async def test_handled_marks_many_at_once(factory: sessionmaker[Session]) -> None:
    box = Inbox(factory)
    await InboxQueue().record_batch(answer())  # an empty poll: nothing to do
    assert box.record_batch([(1, "{}"), (2, "{}"), (3, "{}")]) == {1, 2, 3}
    await asyncio.to_thread(box.handled, 1, 3)
    assert rows(factory) == {1: True, 2: False, 3: True}
