"""The bot in webhook mode (`telegram.mode: webhook`): Telegram POSTs each update to it through a
reverse proxy, and nothing polls. Its address and secret come from the token's hash, never the
token itself; a POST without the secret is refused."""

from __future__ import annotations

import time
from pathlib import Path

import aiohttp
import pytest

from bot.services import Knowledge
from tests.fakes import FakeBotApi
from tests.fakes.webhook import WebhookProxy, free_port

from .as_run import bot_process, interrupt, say, until

pytestmark = pytest.mark.asyncio

PUBLIC = "https://cunjing.example/telegram"  # what the station's reverse proxy serves
STRANGER = 5402


def forged_start(user_id: int) -> dict[str, object]:
    person = {"id": user_id, "is_bot": False, "first_name": "冒充"}
    message = {
        "message_id": 1,
        "date": int(time.time()),
        "chat": {**person, "type": "private"},
        "from": person,
        "text": "/start QS001",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    }
    return {"update_id": 1, "message": message}


async def test_the_bot_answers_on_its_webhook_and_refuses_a_post_without_the_secret(
    tmp_path: Path, knowledge: Knowledge
) -> None:
    faq = knowledge.faq
    port = free_port()
    settings = {
        "CUNJING_TELEGRAM__MODE": "webhook",
        "CUNJING_TELEGRAM__WEBHOOK_URL": PUBLIC,
        "CUNJING_TELEGRAM__WEBHOOK_LISTEN": "127.0.0.1",
        "CUNJING_TELEGRAM__WEBHOOK_PORT": str(port),
        "CUNJING_TELEGRAM__CORE_PROCESS": "false",
    }
    async with (
        FakeBotApi(settle_timeout=30) as api,
        WebhookProxy(api, PUBLIC, f"http://127.0.0.1:{port}") as telegram,
    ):
        api.user(1001, "王示例")
        stranger = api.user(STRANGER, "冒充")
        with bot_process(api, tmp_path, **settings) as bot:
            await until(lambda: telegram.target() is not None and bool(api.calls_to("setMyCommands")), 60, bot)
            secret = str(api.webhook.get("secret_token", ""))
            assert secret and api.token not in api.webhook["url"] and api.token not in secret
            # the path shows in every proxy's access log: it must not give the secret away
            assert secret not in api.webhook["url"]
            # Telegram may POST as many at once as the bot handles at once (telegram.concurrent_updates)
            assert int(str(api.webhook.get("max_connections"))) == 64

            villager = api.user(5401, "村民")
            village = faq.message("welcome.village", "zh", village="青山村", town="青山镇（示例）", officer="王示例")
            assert await say(villager, "/start QS001", replies=2) == [faq.message("welcome", "zh"), village]
            created = await say(villager, "/request id_card_lost 身份证丢了，想补办")
            assert "#1" in created[0]
            await until(lambda: any("#1" in m.summary for m in api.messages if m.chat_id == 1001), 20, bot)

            target = telegram.target()
            assert target is not None
            async with (
                aiohttp.ClientSession() as session,
                session.post(target, json=forged_start(STRANGER)) as response,
            ):
                assert response.status == 403
            assert len(await say(villager, "/myrequests")) == 1  # the bot carries on
            assert stranger.replies == []
            assert api.counts["getUpdates"] == 0
            await interrupt(bot, tmp_path)
    assert set(telegram.statuses) == {200}
