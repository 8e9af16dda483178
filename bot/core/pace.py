"""One pace for everything the bot sends to other people: the outbox and the alerts share it.

Telegram allows about 30 messages a second overall, one a second per chat and 20 a minute per
group, and answers 429 with `retry_after` beyond that. The pacer spaces sends evenly, never lets
more than `per_second` of them fall within one second and keeps a gap after each message to a chat.

A 429 pauses the chat it came from, for its `retry_after`: a group's per-minute limit asks for up to
60 s, and every other chat (a villager's answer, an officer's card) goes on meanwhile. The answer
does not say which limit was met, so the pacer infers it: when `GLOBAL_AFTER` chats are limited at
once (their pauses overlap), the limit is the bot's overall one, and every sender stops for the
last `retry_after` (`paused_until`, shared with the other workers through the send lease and kept
by direct replies too).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from bot.core.dispatch import Delivery, RetryLater, Sender
from bot.core.types import Reply

Clock = Callable[[], float]
CHATS_KEPT = 2000  # chat gaps remembered before the ones already over are forgotten
# Telegram: about one message a second to a chat, but 20 a minute to a group: a group's gap is three
# chats' (the duty desk's backlog then paces itself instead of meeting 429s of up to a minute).
GROUP_FACTOR = 3.0
# chats under a 429 at once from which the flood wait is taken as the whole bot's: one chat's is its
# own limit; the overall limit, met at 30 a second across many chats, limits several within a moment
GLOBAL_AFTER = 3


class Pacer:
    """Hands out send slots: evenly spaced, at most `per_second` per second, `per_chat` apart per chat."""

    def __init__(
        self, per_second: float, per_chat: float = 1.0, *, clock: Clock = time.monotonic, period: float = 1.0
    ) -> None:
        self.interval = 1.0 / per_second
        self.limit = max(1, math.floor(per_second * period))
        self.period = period
        self.per_chat = per_chat
        self.clock = clock
        self.paused_until = 0.0
        self._next = 0.0
        # when each of the last `limit` sends ended (inf while it is still on its way)
        self._recent: deque[list[float]] = deque(maxlen=self.limit)
        self._lock = asyncio.Lock()
        self._chat_free: dict[int, float] = {}
        self._chat_locks: dict[int, asyncio.Lock] = {}
        self._chat_users: dict[int, int] = {}
        self._limited: dict[int, float] = {}  # the chats under a 429: until when

    def pause(self, seconds: float) -> None:
        """The whole bot's flood wait: nobody sends for `seconds`."""
        self.paused_until = max(self.paused_until, self.clock() + seconds)

    def limited(self, chat_id: int, seconds: float) -> None:
        """A 429 met sending to `chat_id`: that chat waits `seconds`; everyone does once
        `GLOBAL_AFTER` chats are limited at once."""
        now = self.clock()
        until = now + seconds
        self._chat_free[chat_id] = max(self._chat_free.get(chat_id, 0.0), until)
        self._limited = {c: t for c, t in self._limited.items() if t > now}
        self._limited[chat_id] = max(self._limited.get(chat_id, 0.0), until)
        if len(self._limited) >= GLOBAL_AFTER:
            self.pause(seconds)

    @asynccontextmanager
    async def slot(self, chat_id: int) -> AsyncIterator[None]:
        """Wait for this chat's turn and an overall slot; the send happens inside the block."""
        self._chat_users[chat_id] = self._chat_users.get(chat_id, 0) + 1
        lock = self._chat_locks.setdefault(chat_id, asyncio.Lock())
        try:
            async with lock:  # one message at a time to a chat, in the order asked
                await self._sleep_until(self._chat_free.get(chat_id, 0.0))
                cell = await self._overall()
                try:
                    yield
                finally:
                    cell[0] = self.clock()
                    # a 429 met inside the block (`pausing`) may have pushed the chat's turn further
                    self._chat_free[chat_id] = max(self._chat_free.get(chat_id, 0.0), cell[0] + self.gap(chat_id))
        finally:
            self._release_chat(chat_id)

    def gap(self, chat_id: int) -> float:
        """The time between two messages to one chat (groups have negative ids)."""
        return self.per_chat * GROUP_FACTOR if chat_id < 0 else self.per_chat

    def paced(self, send: Sender) -> Sender:
        """`send` through this pacer; a flood wait it reports pauses its chat (or every chat: `limited`)."""

        async def paced_send(chat_id: int, reply: Reply) -> Delivery:
            async with self.slot(chat_id):
                result = await send(chat_id, reply)
            if isinstance(result, RetryLater) and result.after:
                self.limited(chat_id, result.after)
            return result

        return paced_send

    def pausing(self, send: Sender) -> Sender:
        """`send` for a caller that takes the `slot` itself: only the flood wait it reports is kept (`limited`)."""

        async def pausing_send(chat_id: int, reply: Reply) -> Delivery:
            result = await send(chat_id, reply)
            if isinstance(result, RetryLater) and result.after:
                self.limited(chat_id, result.after)
            return result

        return pausing_send

    async def _overall(self) -> list[float]:
        """The next overall slot. Counting from when sends *ended* keeps us under the limit as
        Telegram counts it (on arrival), whatever the network's delays."""
        async with self._lock:
            while True:
                now = self.clock()
                start = max(self._next, self.paused_until, self._window_free())
                if start <= now:
                    break
                await asyncio.sleep(min(start - now, self.period))
            self._next = now + self.interval
            cell = [math.inf]
            self._recent.append(cell)
            return cell

    def _window_free(self) -> float:
        """When the send `limit` places back ended plus one period (inf: poll until it ends)."""
        if len(self._recent) < self.limit:
            return 0.0
        oldest = self._recent[0][0]
        return self.clock() + self.interval if math.isinf(oldest) else oldest + self.period

    async def _sleep_until(self, moment: float) -> None:
        while (wait := max(moment, self.paused_until) - self.clock()) > 0:
            await asyncio.sleep(min(wait, self.period))  # a period at a time, as `_overall`: the clock decides

    def _release_chat(self, chat_id: int) -> None:
        self._chat_users[chat_id] -= 1
        if self._chat_users[chat_id]:
            return
        del self._chat_users[chat_id], self._chat_locks[chat_id]
        if len(self._chat_free) > CHATS_KEPT:
            now = self.clock()
            self._chat_free = {c: t for c, t in self._chat_free.items() if t > now}
