"""Whatever a person sends, a clear answer in their language: never a crash, never silence."""

from __future__ import annotations

from tests.fakes import FakeUser

from .conftest import OFFICERS, Bot

LANGS = ["zh", "en"]


async def person(bot: Bot, user_id: int, lang: str) -> FakeUser:
    """A villager of QS001 whose Telegram client speaks `lang`."""
    return await bot.registered(user_id, "QS001", lang)


async def test_messages_the_bot_cannot_read_are_answered(bot: Bot) -> None:
    for lang, user_id in zip(LANGS, (5401, 5411), strict=True):
        await cannot_read(bot, await person(bot, user_id, lang), lang)


async def cannot_read(bot: Bot, villager: FakeUser, lang: str) -> None:
    assert (await villager.send_sticker()).texts == [bot.say("unsupported.sticker", lang)]
    heard = (await villager.send_voice()).texts  # not audio that can be heard: big buttons and the officer's phone
    officer = bot.say("voice.officer", lang, name=OFFICERS[1001], phone="13800000001")
    assert heard == ["\n".join([bot.say("voice.cannot_listen", lang), officer])]
    assert (await villager.send_location()).texts == [bot.say("unsupported.location", lang)]
    assert (await villager.send_contact("+8613812345678")).texts == [bot.say("unsupported.contact", lang)]
    assert (await villager.send_photo()).texts == [bot.say("photo.unreadable", lang)]  # no words in it
    sent = await villager.send("/help")
    assert (await villager.edit(sent, "/help me")).texts == [bot.say("unsupported.edited", lang)]
    assert (await villager.send("/nosuchcommand")).texts == [bot.say("unknown_command", lang)]


async def test_wrong_arguments_get_the_usage(bot: Bot) -> None:
    for lang, user_id in zip(LANGS, (5402, 5412), strict=True):
        await wrong_arguments(bot, lang, user_id)
    assert bot.requests() == []


async def wrong_arguments(bot: Bot, lang: str, user_id: int) -> None:
    officer = bot.officer(1001 if lang == "zh" else 1002)
    officer.language_code = lang  # 1002's Telegram speaks English
    hello = "你好" if lang == "zh" else "hello there"
    usage = bot.say("usage.number", lang, command="accept")
    assert (await officer.send("/accept abc")).texts == [bot.say("error.bad_arguments", lang, usage=usage)]
    assert (await officer.send("/accept")).texts == [bot.say("error.bad_arguments", lang, usage=usage)]
    usage = bot.say("usage.number", lang, command="done")
    assert (await officer.send("/done x1")).texts == [bot.say("error.bad_arguments", lang, usage=usage)]
    usage = bot.say("usage.reply", lang)
    assert (await officer.send("/reply 1")).texts == [bot.say("error.bad_arguments", lang, usage=usage)]
    assert (await officer.send(f"/reply abc {hello}")).texts == [bot.say("error.bad_arguments", lang, usage=usage)]

    villager = await person(bot, user_id, lang)
    no_kind = await villager.send(f"/request nosuchkind {'帮帮我' if lang == 'zh' else 'please help me'}")
    assert no_kind.texts[0].startswith(bot.say("request.unknown_kind", lang, kind="nosuchkind", kinds="").rstrip())
    assert "hukou_newborn" in no_kind.texts[0]
    bare = await villager.send("/request")
    assert bare.texts[0].startswith(bot.say("error.bad_arguments", lang, usage=bot.say("request.usage", lang)))


async def test_unknown_village_codes_and_no_village(bot: Bot) -> None:
    for lang, user_id in zip(LANGS, (5403, 5413), strict=True):
        await no_village(bot, bot.villager(user_id, "新来的", lang), lang)
    assert bot.requests() == []


async def no_village(bot: Bot, villager: FakeUser, lang: str) -> None:
    unknown = await villager.send("/start ZZ999")
    assert unknown.texts == [bot.say("welcome", lang), bot.say("error.unknown_village", lang, code="ZZ999")]
    assert (await villager.send("/village QS9")).texts == [bot.say("error.unknown_village", lang, code="QS9")]
    await villager.send("/cancel")
    assert (await villager.send("/request hukou_newborn text")).texts == [bot.say("error.no_village", lang)]
    assert (await villager.send("/officer")).texts == [bot.say("error.no_village", lang)]
    # then the right code works
    done = await villager.send("/village qs001")
    assert done.texts == [
        bot.say("welcome.village", lang, village="青山村", town="青山镇（示例）", officer=OFFICERS[1001])
    ]


async def test_a_4096_character_message(bot: Bot) -> None:
    villager = await person(bot, 5404, "zh")
    longest = ("请问身份证丢了怎么补办，" * 400)[:4096]
    answered = await villager.send(longest)
    assert len(answered.texts) >= 1 and bot.say("error.generic") not in answered.texts
    assert all(len(text) <= 4096 for text in answered.texts)

    # as a request's details: stored, and the officer's card still fits one message
    await villager.send("/request id_card_lost")
    await villager.send(longest)
    await villager.send("13812345678")
    assert villager.replies[-1] == bot.say("request.created", number=1, officer=OFFICERS[1001])
    [card] = await bot.cards_for(bot.officer(1001), 1)
    assert card.text is not None and len(card.text) <= 4096
    assert bot.request(1).details.startswith(longest[:1000])

    # an officer's long answer reaches the villager whole, in pieces
    long_answer = "请带齐材料。" * 681  # with `/reply 1 `, 4,095 characters: Telegram allows 4,096
    await bot.officer(1001).send(f"/reply 1 {long_answer}")
    header = bot.say("notify.to_citizen", officer=OFFICERS[1001], number=1, text="").split("\n")[0]

    def answer_in_pieces() -> list[str]:
        starts = [i for i, text in enumerate(villager.replies) if text.startswith(header)]
        return villager.replies[starts[0] :] if starts and len(villager.replies) - starts[0] >= 2 else []

    pieces = await bot.until(answer_in_pieces, what="the long answer")
    assert all(len(piece) <= 4096 for piece in pieces)
    assert long_answer in "".join(pieces).replace("\n", "")


async def test_group_chatter_is_ignored_but_commands_are_answered(bot: Bot) -> None:
    desk = bot.desk()
    officer = bot.officer(1001)
    chatter = await officer.send("大家早上好", chat=desk)
    assert chatter.texts == []  # a group's small talk is not for the bot
    assert (await officer.send("/queue", chat=desk)).texts == [bot.say("officer.queue_empty")]
