"""Telegram's side of a webhook: the fake's pending updates POSTed to the bot, one at a time.

Telegram only calls HTTPS addresses; a bot's own listener is plain HTTP behind a reverse proxy.
`WebhookProxy` plays both: the webhook set on the fake (a public ``https://`` address) is mapped
to the bot's listener on loopback. An update is confirmed when the bot answers 200; otherwise it
is offered again, as Telegram does.

Several workers behind one proxy: `local` may list several listeners; each update goes to the next
one in turn (round robin), and one that does not answer (a worker killed) is passed over for the next.
`connections`: updates under way at once, as Telegram's `max_connections` (1: one at a time, in order).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Sequence
from typing import Any

import aiohttp

from .bot_api import FakeBotApi

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_SECONDS = 0.1


def free_port() -> int:
    """A port on loopback that nothing listens on, for the bot's webhook listener."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class WebhookProxy:
    """Delivers the fake's updates to `local` (one listener or several, in turn) while its webhook is
    set under `public`."""

    def __init__(self, api: FakeBotApi, public: str, local: str | Sequence[str], connections: int = 1) -> None:
        self.api = api
        self.public = public.rstrip("/")
        self.locals = [u.rstrip("/") for u in ([local] if isinstance(local, str) else local)]
        self.local = self.locals[0]
        self.turn = 0  # the listener the next update goes to
        self.statuses: list[int] = []  # the bot's answer to each POST
        self.delivered: list[int] = [0] * len(self.locals)  # updates each listener took
        self.connections = connections
        self._under_way: set[int] = set()  # update ids being POSTed
        self._tasks: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> WebhookProxy:
        self._tasks = [asyncio.create_task(self._deliver()) for _ in range(self.connections)]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def target(self, local: str | None = None) -> str | None:
        """Where the webhook set on the fake leads on loopback (None: no webhook of ours)."""
        url = str(self.api.webhook.get("url", ""))
        if not url.startswith(self.public + "/") and url != self.public:
            return None
        return (local or self.local) + url[len(self.public) :]

    async def _deliver(self) -> None:
        async with aiohttp.ClientSession() as session:
            while True:
                target, update = self.target(), self.api.next_update(skip=self._under_way)
                if target is None or update is None:
                    await self.api.changed(RETRY_SECONDS)
                    continue
                self._under_way.add(int(update["update_id"]))
                try:
                    for _ in self.locals:  # the next listener in turn; one that does not answer is passed over
                        which = self.turn
                        self.turn = (self.turn + 1) % len(self.locals)
                        if await self._post(session, self.target(self.locals[which]) or target, update):
                            self.delivered[which] += 1
                            break
                    else:
                        await asyncio.sleep(RETRY_SECONDS)
                finally:
                    self._under_way.discard(int(update["update_id"]))

    async def _post(self, session: aiohttp.ClientSession, target: str, update: dict[str, Any]) -> bool:
        headers = {}
        if self.api.webhook.get("secret_token"):
            headers[SECRET_HEADER] = str(self.api.webhook["secret_token"])
        try:
            async with session.post(target, json=update, headers=headers) as response:
                self.statuses.append(response.status)
                delivered = response.status == 200
        except aiohttp.ClientError:  # the bot is not listening (yet, or any more)
            return False
        if delivered:
            self.api.confirm_update(int(update["update_id"]))
        return delivered
