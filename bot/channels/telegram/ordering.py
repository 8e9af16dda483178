"""Updates of different people handled at once; one person's updates strictly in the order they came.

python-telegram-bot either handles one update at a time or all of them at once in any order. A
villager's messages must be answered in order (details, then the phone number), while a busy
morning needs many villagers served at once: each user has a line (a lock, taken in arrival
order), and only the update at the head of a line takes one of the concurrency slots. A villager
who sends 150 messages at once thus waits behind themselves only: before, their waiting updates
held all 64 slots and the others' median answer went from 0.11 s to 86 s (benchmarks/fairness.py).
Whoever has more than `flood_after` updates waiting is told once to slow down; all of them are
still handled, in order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor

from bot.channels.telegram import render
from bot.channels.telegram.runtime import runtime_of_app
from bot.core.dispatch import Sent
from bot.core.types import Reply

log = logging.getLogger(__name__)

UNLIMITED = 1 << 30
FLOOD_AFTER = 20  # updates waiting in one user's line before they are asked to slow down
Tell = Callable[[Update], Coroutine[Any, Any, None]]


def key_of(update: object) -> int | None:
    """Whose update this is: the user, else the chat; None for updates of nobody in particular."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None


class PerUserOrder(BaseUpdateProcessor):
    """At most `max_concurrent_updates` at once, never two of the same user; waiting holds no slot."""

    def __init__(self, max_concurrent_updates: int, flood_after: int = FLOOD_AFTER) -> None:
        super().__init__(max_concurrent_updates)
        # The base class takes a slot before `do_process_update` (its `process_update` is final), so a
        # waiting update would hold one: its semaphore becomes one that never waits, and the slots
        # are taken below, at the head of a line.
        self._slots = self._semaphore
        self._semaphore = type(self._semaphore)(UNLIMITED)
        self.flood_after = flood_after
        # says "slow down" to a flooding user (the channel sets it: it has the bot and the texts)
        self.on_flood: Tell | None = None
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}  # updates in each user's line, the one being handled included
        self._told: set[int] = set()  # users told to slow down since their line was last empty
        self._notices: set[asyncio.Task[None]] = set()

    @property
    def current_concurrent_updates(self) -> int:
        return self.max_concurrent_updates - self._slots.current_value

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = key_of(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        if self._users[key] > self.flood_after and key not in self._told:
            self._told.add(key)
            self._tell(update)
        started = False
        try:
            # asyncio locks are fair: waiters get it in arrival order; only the head of a line holds a slot
            async with lock, self._slots:
                started = True
                await coroutine
        finally:
            if not started and isinstance(coroutine, Coroutine):
                coroutine.close()  # cancelled while waiting (a stop): never started, no warning
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]
                self._told.discard(key)

    def _tell(self, update: object) -> None:
        if self.on_flood is None or not isinstance(update, Update):
            return
        task: asyncio.Task[None] = asyncio.create_task(self.on_flood(update))
        self._notices.add(task)
        task.add_done_callback(self._notices.discard)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        if self._notices:
            await asyncio.gather(*self._notices, return_exceptions=True)


def slow_down(app: Application) -> Tell:
    """The notice to a user whose line is long: sent at once, beside their waiting updates."""

    async def tell(update: Update) -> None:
        chat = update.effective_chat
        if chat is None or "runtime" not in app.bot_data:
            return
        runtime = runtime_of_app(app)
        user = update.effective_user
        english = user is not None and (user.language_code or "").startswith("en")
        lang = "en" if english else runtime.services.settings.app.default_lang
        text = runtime.services.knowledge().faq.message("slow_down", lang)
        result = await render.deliver_now(app.bot, chat.id, Reply(text))  # their chat is busy: flood waits
        if not isinstance(result, Sent):
            log.info("the slow-down notice to chat %s was not sent: %s", chat.id, result)

    return tell
