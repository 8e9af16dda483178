"""The outbox dispatcher: sends what the core queued for other people, at the channel's pace,
and records each row as sent, to retry, or blocked. It knows nothing of Telegram: the channel
gives it a `send` that reports what happened as one of the `Delivery` values below."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.core.types import Reply
from bot.store import outbox
from bot.store.models import Outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sent:
    message_id: int | None


@dataclass(frozen=True)
class RetryLater:
    """A flood limit (with the wait it asked for), a network error or a server error."""

    error: str
    after: float | None = None


@dataclass(frozen=True)
class Blocked:
    """The user blocked the bot or the chat is gone: stop writing to it."""

    error: str


@dataclass(frozen=True)
class Failed:
    """The message itself is wrong (a bad request): retrying will not help."""

    error: str


Delivery = Sent | RetryLater | Blocked | Failed
Sender = Callable[[int, Reply], Awaitable[Delivery]]


class Dispatcher:
    """Drains due outbox rows: one chat's rows in order and paced, several chats at once."""

    def __init__(
        self,
        db: sessionmaker[Session],
        send: Sender,
        per_chat_interval: float = 1.0,
        max_attempts: int = 8,
        batch: int = 50,
        parallel: int = 8,
        running: Callable[[], bool] = lambda: True,
        only_chats: Collection[int] | None = None,
    ) -> None:
        self.db = db
        self.send = send
        # the chats this dispatcher sends to (the console: the user it plays); None: every chat.
        # Rows for other chats stay pending, untouched, for the bot that serves them.
        self.only_chats = frozenset(only_chats) if only_chats is not None else None
        self.running = running  # False once the channel is stopping: finish the send under way, no more
        self.per_chat_interval = per_chat_interval
        self.max_attempts = max_attempts
        self.batch = batch
        self.parallel = asyncio.Semaphore(parallel)
        self.last_sent: dict[int, float] = {}
        self.lock = asyncio.Lock()

    async def drain(self) -> int:
        """Send every row that is due now; returns how many were delivered."""
        delivered = 0
        async with self.lock:
            while self.running():
                rows = await asyncio.to_thread(self._claim)
                if not rows:
                    return delivered
                by_chat: dict[int, list[Outbox]] = defaultdict(list)
                for row in rows:
                    by_chat[row.chat_id].append(row)
                counts = await asyncio.gather(*(self._chat(chat, items) for chat, items in by_chat.items()))
                delivered += sum(counts)
                if len(rows) < self.batch:
                    return delivered
            return delivered

    def _claim(self) -> list[Outbox]:
        with self.db.begin() as session:
            return outbox.claim_due(session, limit=self.batch, chat_ids=self.only_chats)

    async def _chat(self, chat_id: int, rows: list[Outbox]) -> int:
        delivered = 0
        for i, row in enumerate(rows):
            wait = self.last_sent.get(chat_id, 0.0) + self.per_chat_interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)  # about one message per second to one chat, as Telegram asks
            if not self.running():  # stopping: the rest are given back, due at once for the next start
                await asyncio.to_thread(self._release, [r.id for r in rows[i:]])
                return delivered
            async with self.parallel:
                result = await self.send(chat_id, outbox.reply(row.payload))
            self.last_sent[chat_id] = time.monotonic()
            await asyncio.to_thread(self._record, row.id, result)
            if isinstance(result, Blocked):
                return delivered  # the chat's other rows were stopped with it
            delivered += isinstance(result, Sent)
        return delivered

    def _release(self, row_ids: list[int]) -> None:
        with self.db.begin() as session:
            outbox.release(session, row_ids)

    def _record(self, row_id: int, result: Delivery) -> None:
        with self.db.begin() as session:
            if isinstance(result, Sent):
                outbox.mark_sent(session, row_id, result.message_id)
            elif isinstance(result, RetryLater):
                log.warning("outbox %d: %s; retrying", row_id, result.error)
                attempts = self.max_attempts
                outbox.reschedule(session, row_id, result.error, retry_after=result.after, max_attempts=attempts)
            elif isinstance(result, Blocked):
                log.warning("outbox %d: %s; chat marked blocked", row_id, result.error)
                outbox.mark_blocked(session, row_id, result.error)
            else:
                log.error("outbox %d: %s; not retried", row_id, result.error)
                outbox.reschedule(session, row_id, result.error, max_attempts=0)
