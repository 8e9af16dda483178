"""The Bot API over aiohttp: uploads, and failures as python-telegram-bot's errors without the token."""

from __future__ import annotations

import socket

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.channels.telegram.transport import AiohttpRequest
from tests.fakes import FakeBotApi

pytestmark = pytest.mark.asyncio

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\0" * 32


def bot_for(api: FakeBotApi, base_url: str | None = None, *, read_timeout: float = 5.0) -> Bot:
    return Bot(
        api.token,
        base_url=base_url or api.base_url,
        request=AiohttpRequest(4, read_timeout=read_timeout),
        get_updates_request=AiohttpRequest(1),
    )


async def test_a_text_and_an_upload_arrive_as_sent() -> None:
    async with FakeBotApi() as api:
        villager = api.user(5001, "村民")
        async with bot_for(api) as bot:
            await bot.send_message(villager.id, "你好 & <b>bye</b>")
            await bot.send_photo(villager.id, PNG, caption="照片")
        text, photo = villager.messages
        assert text.text == "你好 & <b>bye</b>"
        assert photo.upload is not None and photo.upload.data == PNG
        assert photo.text == "照片"


async def test_a_dropped_connection_is_a_network_error_without_the_token() -> None:
    async with FakeBotApi() as api:
        villager = api.user(5002, "村民")
        async with bot_for(api) as bot:
            api.fail_next("sendMessage", disconnect=True)
            with pytest.raises(NetworkError) as caught:
                await bot.send_message(villager.id, "hi")
            assert "sendMessage" in str(caught.value)
            assert api.token.split(":")[1] not in str(caught.value)
            await bot.send_message(villager.id, "again")  # the pool recovers
        assert villager.replies == ["again"]


async def test_a_slow_answer_is_timed_out() -> None:
    async with FakeBotApi() as api:
        villager = api.user(5003, "村民")
        async with bot_for(api, read_timeout=0.2) as bot:
            api.fail_next("sendMessage", delay=1.0)
            with pytest.raises(TimedOut):
                await bot.send_message(villager.id, "hi")


async def test_nobody_listening_is_a_network_error_without_the_token() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request, token = AiohttpRequest(1), "123456:SECRET-token"
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await request.post(f"http://127.0.0.1:{port}/bot{token}/getMe")
    finally:
        await request.shutdown()
    assert "getMe" in str(caught.value) and "SECRET" not in str(caught.value)
