"""A photo is read (OCR, about a second of CPU) only when the turn will use its words: outside a
request step it is checked like a forwarded message; inside one it is kept for the officer, unread."""

from __future__ import annotations

import pytest

from bot import reading

from .conftest import Bot

pytestmark = pytest.mark.asyncio

READ = "【公安局】您涉嫌洗钱，请立即将存款转入安全账户配合调查"


class CountingReader:
    """Stands in for the OCR: says what it "read" and counts the pictures it was given."""

    def __init__(self) -> None:
        self.pictures = 0

    def text(self, image: bytes) -> str:
        self.pictures += 1
        return READ


@pytest.fixture
def reader(monkeypatch: pytest.MonkeyPatch) -> CountingReader:
    counting = CountingReader()
    monkeypatch.setattr(reading, "reader", lambda: counting)
    return counting


async def test_a_photo_in_a_request_step_is_kept_unread_and_one_outside_is_read(
    bot: Bot, reader: CountingReader
) -> None:
    villager = await bot.registered(5811)
    await villager.send("/request hukou_newborn")

    kept = await villager.send_photo()
    assert kept.texts == [bot.say("request.photo_saved", count=1)]
    assert reader.pictures == 0  # not read: the officer gets the picture, not its words
    [attachment] = bot.citizen(5811).state_data["attachments"]  # type: ignore[index]
    assert attachment["kind"] == "photo" and attachment["file_id"]

    await villager.send("/cancel")
    checked = await villager.send_photo()
    assert reader.pictures == 1
    assert checked.texts[0].startswith(bot.say("photo.read", quote=READ))  # its words, checked
