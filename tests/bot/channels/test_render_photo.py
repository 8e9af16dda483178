"""A reply whose photo is a local file (a report chart) is uploaded; a Telegram file id is sent as is."""

from __future__ import annotations

from PIL import Image

from bot.channels.telegram import render
from bot.core.types import Reply
from tests.fakes import FakeBotApi

CHAT = 5001


async def test_a_local_file_is_uploaded_and_a_file_id_is_reused(tmp_path):
    chart = tmp_path / "chart.png"
    Image.new("RGB", (40, 20), "#C62828").save(chart)
    async with FakeBotApi() as api:
        api.user(CHAT)
        known = api.add_file(b"jpeg bytes", "photo")
        app = api.app_builder().build()
        async with app:
            uploaded = await render.send(app.bot, CHAT, Reply("各镇请求数", photo=str(chart)))
            reused = await render.send(app.bot, CHAT, Reply("again", photo=known.file_id))
    first, second = [m for m in api.messages if m.method == "sendPhoto"]
    assert first.upload is not None and first.upload.data == chart.read_bytes()
    assert uploaded.caption == "各镇请求数"
    assert second.upload is None and reused.caption == "again"
