"""The outbox dispatcher: sends what the core queued for other people, at the channel's pace,
and records each row as sent, to retry, or blocked. It knows nothing of Telegram: the channel
gives it a `send` that reports what happened as one of the `Delivery` values below."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
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
    """A flood limit (with the wait it asked for), a network error or a server error.

    `unknown`: the request went out and no answer came (a time-out, a connection dropped after
    sending): Telegram may have carried it out. Each kind of message decides whether to resend."""

    error: str
    after: float | None = None
    unknown: bool = False


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
    """Drains due outbox rows: each chat by a sender of its own, its rows in order (urgent ones
    first) and paced; the chats independently of one another.

    Before, a drain claimed 50 rows and waited for every chat among them before claiming more: an
    urgent card to an officer waited 23 s behind 30 duty-desk cards and 88 s behind 60 (a group
    takes 20 messages a minute). Now a chat that waits for its pace holds up no other, and a drain
    started meanwhile (the next tick, a kick) starts senders for the chats that have none."""

    def __init__(
        self,
        db: sessionmaker[Session],
        send: Sender,
        per_chat_interval: float = 1.0,
        max_attempts: int = 8,
        batch: int = 50,
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
        self.batch = batch  # chats looked up at once
        self.last_sent: dict[int, float] = {}
        self.senders: dict[int, asyncio.Task[int]] = {}  # the chats being sent to, and their sender
        self.lock = asyncio.Lock()  # held while looking for due chats and starting their senders

    async def drain(self) -> int:
        """Send every row that is due now; returns how many this drain's senders delivered.

        Returns once the chats it found have nothing due; a chat that already had a sender is left to it."""
        started: list[asyncio.Task[int]] = []
        while self.running():
            async with self.lock:
                chats = await asyncio.to_thread(self._due_chats, frozenset(self.senders))
                for chat in chats:
                    task = asyncio.create_task(self._chat(chat))
                    self.senders[chat] = task
                    task.add_done_callback(functools.partial(self._done, chat))
                    started.append(task)
            if len(chats) < self.batch:
                break
        return sum(await asyncio.gather(*started))

    def _done(self, chat_id: int, _: asyncio.Task[int]) -> None:
        self.senders.pop(chat_id, None)

    def _due_chats(self, busy: frozenset[int]) -> list[int]:
        with self.db() as session:
            return outbox.due_chats(session, limit=self.batch, busy=busy, chat_ids=self.only_chats)

    def _claim(self, chat_id: int) -> Outbox | None:
        """The chat's next due row (urgent first), claimed just before its send: nothing waits claimed."""
        with self.db.begin() as session:
            rows = outbox.claim_due(session, limit=1, chat_ids=(chat_id,))
            return rows[0] if rows else None

    async def _chat(self, chat_id: int) -> int:
        """One chat's sender: its due rows one by one until none is left, a flood wait, or a block."""
        delivered = 0
        while self.running():
            wait = self.last_sent.get(chat_id, 0.0) + self.per_chat_interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)  # about one message per second to one chat, as Telegram asks
            if not self.running():  # stopping: what is not claimed stays due for the next start
                break
            row = await asyncio.to_thread(self._claim, chat_id)
            if row is None:
                break
            await asyncio.to_thread(self._start, row.id)  # recorded before the call, finished after
            result = await self.send(chat_id, outbox.reply(row.payload))
            self.last_sent[chat_id] = time.monotonic()
            await asyncio.to_thread(self._record, row.id, result)
            if isinstance(result, Blocked | RetryLater):
                break  # blocked: the chat's rows are held; a flood wait or an error: the next drain retries
            delivered += isinstance(result, Sent)
        return delivered

    def _start(self, row_id: int) -> None:
        with self.db.begin() as session:
            outbox.start(session, row_id)

    def _record(self, row_id: int, result: Delivery) -> None:
        with self.db.begin() as session:
            if isinstance(result, Sent):
                outbox.mark_sent(session, row_id, result.message_id)
            elif isinstance(result, RetryLater) and result.unknown:
                outbox.settle_unknown(session, row_id, result.error, max_attempts=self.max_attempts)  # by its kind
            elif isinstance(result, RetryLater):
                log.warning("outbox %d: %s%s; retrying", row_id, result.error, waited(result))
                attempts = self.max_attempts
                outbox.reschedule(session, row_id, result.error, retry_after=result.after, max_attempts=attempts)
            elif isinstance(result, Blocked):
                log.info("outbox %d: %s; chat marked blocked, its messages held", row_id, result.error)
                outbox.mark_blocked(session, row_id, result.error)
            else:
                log.error("outbox %d: %s; not retried", row_id, result.error)
                outbox.reschedule(session, row_id, result.error, max_attempts=0)


def waited(result: RetryLater) -> str:
    """`, retry_after 3 s` for a flood limit, for the one log line it gets."""
    return f", retry_after {result.after:g} s" if result.after is not None else ""
