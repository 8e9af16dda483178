"""Nothing lost on a kill: each update is in the database before Telegram hears that it arrived.

Telegram keeps an update until the bot acknowledges it, and then forgets it. Polling acknowledges a
batch with the next getUpdates (a higher offset); a webhook with its 200. Both go through one door
in python-telegram-bot: the Updater's polling loop and its webhook handler each `await
update_queue.put(update)`, and only after that returns does the loop send the next getUpdates, or
the handler answer 200. So the queue is the place: `InboxQueue.put` records the update (insert or
ignore) and only then queues it. An update recorded before is Telegram sending it again: dropped,
whether it was handled or is being handled now (a start has queued it from the inbox already).

`InboxApplication.process_update` marks the update handled once its handlers have run (the core's
turn and the reply), whatever they made of it. A start (`replay`, from `post_init`) queues every
update recorded and not handled, in update id order, before polling begins: the core recognises a
turn that had committed by its update id and returns the replies kept with it (bot/store/updates.py),
so the answer cut off by the kill is told, and nothing is done twice.

One transaction a poll, not one an update: long polling records the whole batch as its getUpdates
answer arrives (`RecordingRequest`, the request PTB makes getUpdates with), before PTB queues its
updates and so before the next getUpdates acknowledges them; the queue then lets those through
without a transaction each. A batch that cannot be recorded so (the database away) is left to the
queue, which records update by update and waits out the fault. A webhook's update comes alone, and
the queue records it. "Handled" marks are written likewise in batches: whatever finished while the
last mark was being written goes in the next (`InboxApplication`). Measured (benchmarks/bot_load.py,
README): one transaction per update in the updater's loop capped the bot near 100 msg/s, and a
kill can now at worst replay the few updates whose mark was not yet written (their turns are kept
by update id: the reply is told again, nothing is done twice).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from telegram import Update
from telegram.error import NetworkError
from telegram.ext import Application

from bot.channels.telegram.transport import AiohttpRequest
from bot.store import faults, inbox

log = logging.getLogger(__name__)

RECORD_RETRY_FIRST = 0.5  # seconds before recording an update is tried again; doubled each time
RECORD_RETRY_MAX = 30.0
CONNECT_RETRY_FIRST = 1.0  # seconds before asking Telegram again at start; doubled each time
CONNECT_RETRY_MAX = 60.0


class Inbox:
    """The channel's side of bot/store/inbox.py: Telegram's updates in and out of the database."""

    def __init__(self, db: sessionmaker[Session]) -> None:
        self.db = db

    def record(self, update: Update) -> bool:
        raw = update.to_json()
        with self.db.begin() as session:
            return inbox.record(session, update.update_id, raw)

    def record_batch(self, updates: list[tuple[int, str]]) -> set[int]:
        with self.db.begin() as session:
            return inbox.record_many(session, updates)

    def handled(self, *update_ids: int) -> None:
        with self.db.begin() as session:
            inbox.mark_handled(session, update_ids)

    def unhandled(self) -> list[tuple[int, str]]:
        with self.db() as session:
            return inbox.unhandled(session)


class InboxQueue(asyncio.Queue[object]):
    """The Application's update queue: an update goes in only once it is recorded in the inbox."""

    inbox: Inbox | None = None  # set in post_init, before any update is fetched
    waiting: Callable[[Update], Awaitable[None]] | None = None  # told when an update cannot be recorded yet

    def __init__(self) -> None:
        super().__init__()
        self.recorded: set[int] = set()  # recorded with their getUpdates batch, not queued yet
        self.received_before: set[int] = set()  # in that batch, but recorded at an earlier fetch

    async def record_batch(self, content: bytes) -> None:
        """Record a getUpdates answer's updates in one transaction; on any fault leave them to `put`."""
        if self.inbox is None:
            return
        try:
            results = json.loads(content).get("result")
            batch = [(int(u["update_id"]), json.dumps(u, ensure_ascii=False)) for u in results or ()]
            if not batch:
                return
            new = await asyncio.to_thread(self.inbox.record_batch, batch)
        except Exception as exc:  # noqa: BLE001 - put() records them one by one, waiting out the fault
            log.info("a batch of updates not recorded at once (%s): one by one", describe(exc))
            return
        self.recorded |= new
        self.received_before |= {update_id for update_id, _ in batch} - new

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and self.inbox is not None:
            update_id = item.update_id
            if update_id in self.received_before:
                self.received_before.discard(update_id)
                log.info("update %s received before: not handled again", update_id)
                return
            if update_id in self.recorded:
                self.recorded.discard(update_id)
            elif not await self._record(item):
                log.info("update %s received before: not handled again", update_id)
                return
        await super().put(item)

    async def _record(self, update: Update) -> bool:
        """Record it, waiting out a database that fails: until then Telegram is not told it arrived
        (polling fetches nothing more; a webhook's POST waits, and Telegram sends it again)."""
        assert self.inbox is not None
        delay = RECORD_RETRY_FIRST
        while True:
            try:
                return await asyncio.to_thread(self.inbox.record, update)
            except Exception as exc:  # noqa: BLE001 - whatever it is, the update must not be acknowledged
                reason = faults.describe(exc) if faults.transient(exc) else f"{type(exc).__name__}: {exc}"
                log.warning("update %s not recorded (%s): tried again in %.1f s", update.update_id, reason, delay)
                if self.waiting is not None:
                    await self.waiting(update)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECORD_RETRY_MAX)


class RecordingRequest(AiohttpRequest):
    """The request getUpdates is made with: each answer's updates recorded before PTB sees them."""

    def __init__(self, queue: InboxQueue) -> None:
        super().__init__(1)
        self.queue = queue

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, content = await super().do_request(url, method, *args, **kwargs)
        if status == 200 and url.endswith("/getUpdates"):
            await self.queue.record_batch(content)
        return status, content


class InboxApplication(Application):
    """PTB's Application, marking updates handled when their handlers are done, and waiting at
    start for Telegram to answer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._done: list[int] = []  # handled, not marked yet
        self._marking: asyncio.Task[None] | None = None

    async def process_update(self, update: object) -> None:
        await super().process_update(update)
        queue = self.update_queue
        if isinstance(update, Update) and isinstance(queue, InboxQueue) and queue.inbox is not None:
            self._done.append(update.update_id)
            if self._marking is None or self._marking.done():
                self._marking = asyncio.create_task(self._mark(queue.inbox))

    async def _mark(self, box: Inbox) -> None:
        """Mark what is done, in as many transactions as it takes while more gets done."""
        while self._done:
            ids, self._done = self._done, []
            try:
                await asyncio.to_thread(box.handled, *ids)
            except Exception as exc:  # noqa: BLE001 - handled all the same; at worst told again after a kill
                log.warning("%d updates (%s…) not marked handled (%s)", len(ids), ids[0], describe(exc))

    async def stop(self) -> None:
        await super().stop()
        while self._marking is not None and not self._marking.done():
            await self._marking  # the last marks, before the database is let go

    async def initialize(self) -> None:
        """Ask Telegram (getMe) until it answers, one line per try: a station's network comes up
        after the bot, or Telegram is out of reach for a while.

        Our own loop rather than `run_polling(bootstrap_retries=-1)`: PTB's retry loop logs each
        failure at DEBUG (nothing shows at the default level), waits at most 30 s at a constant
        pace, and logs a traceback when it gives up."""
        delay = CONNECT_RETRY_FIRST
        while True:
            try:
                await super().initialize()
                return
            except NetworkError as exc:  # TimedOut too; an invalid token (InvalidToken) is no passing fault
                log.warning("Telegram does not answer (%s): trying again in %.0f s", describe(exc), delay)
                # the Application shuts its Bot down only after a complete initialize: shut now, so
                # that a Ctrl-C while waiting leaves no connection open (the next try opens them again)
                await self.bot.shutdown()
                await asyncio.sleep(delay)
                delay = min(delay * 2, CONNECT_RETRY_MAX)


def describe(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def attach(
    app: Application[Any, Any, Any, Any, Any, Any],
    db: sessionmaker[Session],
    waiting: Callable[[Update], Awaitable[None]] | None = None,
) -> int:
    """Record updates from now on, and queue those recorded but not handled before this start (in
    update id order, ahead of anything fetched now). Returns how many were queued again."""
    queue = app.update_queue
    if not isinstance(queue, InboxQueue):
        return 0
    queue.inbox, queue.waiting = Inbox(db), waiting
    pending = queue.inbox.unhandled()
    for update_id, raw in pending:
        update = Update.de_json(json.loads(raw), app.bot)
        if update is None:
            log.warning("update %s in the inbox could not be read: skipped", update_id)
            queue.inbox.handled(update_id)
            continue
        queue.put_nowait(update)  # not through put(): it is recorded already
    if pending:
        log.warning("%d updates received before the last stop were not handled: handled now", len(pending))
    return len(pending)
