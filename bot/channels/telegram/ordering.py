"""Updates of different people handled at once; one person's updates strictly in the order they came.

python-telegram-bot either handles one update at a time or all of them at once in any order. A
villager's messages must be answered in order (details, then the phone number), while a busy
morning needs many villagers served at once: each user gets a lock, taken in arrival order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def key_of(update: object) -> int | None:
    """Whose update this is: the user, else the chat; None for updates of nobody in particular."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None


class PerUserOrder(BaseUpdateProcessor):
    """At most `max_concurrent_updates` at once, never two of the same user."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}  # updates holding or waiting for each user's lock

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = key_of(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:  # asyncio locks are fair: waiters get it in arrival order
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
