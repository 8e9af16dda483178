"""An officer's own photo through Telegram: a photo captioned /photo, or /photo replying to a photo."""

from __future__ import annotations

from .conftest import Bot


async def test_an_officer_sets_the_photo_villagers_see(bot: Bot) -> None:
    villager = await bot.registered(5001)  # QS001: 王示例, 1001
    officer = bot.officer(1001)

    sent = await officer.send_photo(caption="/photo")
    assert sent.texts == [bot.say("photo.saved")]
    assert sent.message is not None
    largest = sent.message["photo"][-1]["file_id"]
    [card] = (await villager.send("/officer")).replies
    assert card.photo == largest

    plain = await officer.send_photo()  # no caption: read for a scam check, and it holds no words
    assert plain.texts == [bot.say("photo.unreadable")]
    assert (await officer.reply_to(plain, "/photo")).texts == [bot.say("photo.saved")]
    assert plain.message is not None
    [card] = (await villager.send("/officer")).replies
    assert card.photo == plain.message["photo"][-1]["file_id"]


async def test_a_villager_cannot_set_a_photo(bot: Bot) -> None:
    villager = await bot.registered(5002)
    assert (await villager.send_photo(caption="/photo")).texts == [bot.say("officer.only")]
