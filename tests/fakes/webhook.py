"""Telegram's side of a webhook: the fake's pending updates POSTed to the bot, one at a time.

Telegram only calls HTTPS addresses; a bot's own listener is plain HTTP behind a reverse proxy.
`WebhookProxy` plays both: the webhook set on the fake (a public ``https://`` address) is mapped
to the bot's listener on loopback. An update is confirmed when the bot answers 200; otherwise it
is offered again, as Telegram does.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
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
    """Delivers the fake's updates to `local` while its webhook is set under `public`."""

    def __init__(self, api: FakeBotApi, public: str, local: str) -> None:
        self.api = api
        self.public = public.rstrip("/")
        self.local = local.rstrip("/")
        self.statuses: list[int] = []  # the bot's answer to each POST
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> WebhookProxy:
        self._task = asyncio.create_task(self._deliver())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def target(self) -> str | None:
        """Where the webhook set on the fake leads on loopback (None: no webhook of ours)."""
        url = str(self.api.webhook.get("url", ""))
        if not url.startswith(self.public + "/") and url != self.public:
            return None
        return self.local + url[len(self.public) :]

    async def _deliver(self) -> None:
        async with aiohttp.ClientSession() as session:
            while True:
                target, update = self.target(), self.api.next_update()
                if target is None or update is None:
                    await self.api.changed(RETRY_SECONDS)
                    continue
                if not await self._post(session, target, update):
                    await asyncio.sleep(RETRY_SECONDS)

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
