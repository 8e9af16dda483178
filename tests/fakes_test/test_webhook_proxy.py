"""The fake's webhook side: updates POSTed with the secret, offered again until the bot takes them."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web
from telegram import Bot

from tests.fakes import FakeBotApi
from tests.fakes.webhook import SECRET_HEADER, WebhookProxy, free_port

PUBLIC = "https://bot.example/hook"


async def test_updates_are_posted_in_order_and_offered_again_after_a_failure() -> None:
    received: list[tuple[str, str | None, str]] = []  # (path, secret, text)

    async def hook(request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        received.append((request.path, request.headers.get(SECRET_HEADER), body["message"]["text"]))
        return web.Response(status=500 if len(received) == 1 else 200)  # the first try fails

    app = web.Application()
    app.router.add_post("/{path:.*}", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with FakeBotApi() as api, WebhookProxy(api, PUBLIC, f"http://127.0.0.1:{port}") as proxy:
            villager = api.user(5001, "村民")
            await villager.send("早上好", settle=False)  # queued before any webhook: kept
            async with Bot(api.token, base_url=api.base_url) as bot:
                await bot.set_webhook(f"{PUBLIC}/s3cret-path", secret_token="s3cret")
            await villager.send("在吗", settle=False)
            for _ in range(100):
                if len(received) >= 3:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # nothing more comes once both are taken
    finally:
        await runner.cleanup()
    assert received == [
        ("/s3cret-path", "s3cret", "早上好"),  # refused with 500, offered again
        ("/s3cret-path", "s3cret", "早上好"),
        ("/s3cret-path", "s3cret", "在吗"),
    ]
    assert proxy.statuses == [500, 200, 200]
