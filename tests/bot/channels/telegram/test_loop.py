"""The whole loop through Telegram: villager -> officer -> villager, by buttons and by commands."""

from __future__ import annotations

from bot.store import roster
from tests.fakes import SentMessage
from tests.fakes.bot_api import FAKE_JPEG

from .conftest import DESKS, OFFICERS, QINGSHAN, Bot

TOWN = QINGSHAN
KIND_TITLE = "新生儿落户"


def card_text(
    bot: Bot,
    number: int,
    *,
    village: str,
    name: str,
    phone: str,
    details: str,
    kind: str = KIND_TITLE,
    urgent: bool = False,
    attachments: str = "-",
) -> str:
    title = bot.say("card.title", urgent=bot.say("card.urgent") if urgent else "", number=number)
    body = bot.say(
        "card.body",
        village=village,
        town=TOWN,
        kind=kind,
        name=name,
        phone=phone,
        details=details,
        attachments=attachments,
    )
    return f"{title}\n{body}\n{bot.say('card.reply_hint')}"


async def test_registering_the_village(bot: Bot) -> None:
    # the poster's deep link: /start CODE
    villager = bot.villager(5001, "张三")
    done = await villager.send("/start QS001")
    assert done.texts == [
        bot.say("welcome"),
        bot.say("welcome.village", village="青山村", town=TOWN, officer=OFFICERS[1001]),
    ]
    # /start alone asks, and the village is found by its name
    other = bot.villager(5002, "李四")
    assert (await other.send("/start")).texts == [bot.say("welcome"), bot.say("village.ask")]
    done = await other.send("柳树湾村")
    assert done.texts == [bot.say("welcome.village", village="柳树湾村", town=TOWN, officer=OFFICERS[1002])]
    # /village changes it; /officer shows who to call
    await villager.send("/village BS001")
    done = await villager.send("/officer")
    assert done.texts == [
        bot.say("officer.card", name="赵测试", phone="13800000003", village="白水村", town="白水镇（示例）")
    ]
    assert bot.citizen(5001).village_id != bot.citizen(5002).village_id

    # with a photo on file, /officer shows it, the card as its caption
    photo = bot.api.add_file(FAKE_JPEG, "photo").file_id
    with bot.db.begin() as session:
        officer = roster.officer_by_telegram_id(session, 1003)
        assert officer is not None and roster.set_officer_photo(session, officer.id, photo)
    [shown] = (await villager.send("/officer")).replies
    assert shown.photo == photo and shown.text == done.texts[0]


async def test_the_full_loop_by_buttons(bot: Bot) -> None:
    villager = await bot.registered(5010)
    officer = bot.officer(1001)

    answer = await villager.send("孩子刚出生，怎么给孩子上户口？")
    assert answer.texts[0].startswith(f"【{KIND_TITLE}】")
    assert villager.last is not None
    labels = [label for row in villager.last.buttons for label in row]
    assert bot.say("button.open_request") in labels and bot.say("button.listen") in labels

    assert (await villager.press(bot.say("button.open_request"))).texts == [bot.say("request.ask_details")]
    assert (await villager.send("孩子上个月出生，想上户口")).texts == [bot.say("request.ask_phone")]
    assert (await villager.send("138 1234 5678")).texts == [
        bot.say("request.created", number=1, officer=OFFICERS[1001])
    ]
    request = bot.request(1)
    assert (request.kind, request.status, request.contact_phone) == ("service.hukou_newborn", "open", "13812345678")

    # the officer's card: number, village, kind, details, contact, and the three buttons
    [card] = await bot.cards_for(officer, 1)
    assert card.text == card_text(
        bot, 1, village="青山村", name="村民5010", phone="13812345678", details="孩子上个月出生，想上户口"
    )
    assert card.buttons == [[bot.say("button.accept"), bot.say("button.ask_details"), bot.say("button.done")]]

    pressed = await officer.press(bot.say("button.accept"), message=card)
    assert pressed.answer is not None  # the button stops spinning
    assert pressed.texts == [bot.say("officer.accepted", number=1)]
    await bot.until(lambda: bot.say("notify.accepted", number=1, officer=OFFICERS[1001]) in villager.replies)
    assert bot.request(1).status == "accepted"

    # the officer answers the card with a Telegram reply: the villager gets it
    relayed = await officer.reply_to(card, "请带出生医学证明和户口本来派出所")
    assert relayed.texts == [bot.say("officer.relayed", number=1)]
    words = bot.say("notify.to_citizen", officer=OFFICERS[1001], number=1, text="请带出生医学证明和户口本来派出所")
    to_villager: SentMessage = await bot.until(lambda: next((m for m in villager.messages if m.text == words), None))

    # the villager's reply to that message goes back to the officer
    back = await villager.reply_to(to_villager, "好的，明天上午去")
    assert back.texts == [bot.say("relay.sent", number=1)]
    to_officer = bot.say("notify.to_officer", number=1, name="村民5010", text="好的，明天上午去")
    await bot.until(lambda: to_officer in officer.replies)

    # Ask for details: the officer's next words go to the villager, who answers by replying
    asked = await officer.press(bot.say("button.ask_details"), message=card)
    assert asked.texts == [bot.say("officer.ask_prompt", number=1)]
    await officer.send("孩子的名字定了吗？")
    question = bot.say("notify.to_citizen", officer=OFFICERS[1001], number=1, text="孩子的名字定了吗？")
    await bot.until(lambda: question in villager.replies)
    assert bot.request(1).status == "waiting"
    await villager.reply_to(villager.messages[villager.replies.index(question)], "叫张小明")
    await bot.until(lambda: bot.say("notify.to_officer", number=1, name="村民5010", text="叫张小明") in officer.replies)
    assert bot.request(1).status == "accepted"

    done = await officer.press(bot.say("button.done"), message=card)
    assert done.texts == [bot.say("officer.done", number=1)]
    await bot.until(lambda: bot.say("notify.done", number=1) in villager.replies)
    assert bot.request(1).status == "done"

    # each message to the other side was sent exactly once
    for text in (words, question, bot.say("notify.done", number=1)):
        assert villager.replies.count(text) == 1
    assert len(await bot.cards_for(officer, 1)) == 1
    assert bot.events(1) == [
        "created",
        "accepted",
        "relayed_to_citizen",
        "relayed_to_officer",
        "asked",
        "relayed_to_citizen",
        "relayed_to_officer",
        "done",
    ]


async def test_the_full_loop_by_commands(bot: Bot) -> None:
    villager = await bot.registered(5011)
    officer = bot.officer(1001)

    opened = await villager.send("/request hukou_newborn 孩子上个月出生，想上户口")
    assert opened.texts == [bot.say("request.created", number=1, officer=OFFICERS[1001])]
    [card] = await bot.cards_for(officer, 1)
    assert card.text == card_text(
        bot, 1, village="青山村", name="村民5011", phone=bot.say("card.no_phone"), details="孩子上个月出生，想上户口"
    )

    queue = await officer.send("/queue")
    assert queue.texts[0].splitlines()[0] == bot.say("officer.queue_header")
    assert queue.texts[0].splitlines()[1].startswith(f"#1 青山村 · {KIND_TITLE} · {bot.say('status.open')}")

    assert (await officer.send("/accept 1")).texts == [bot.say("officer.accepted", number=1)]
    assert (await officer.send("/accept 1")).texts == [bot.say("officer.already_yours", number=1)]
    await bot.until(lambda: bot.say("notify.accepted", number=1, officer=OFFICERS[1001]) in villager.replies)

    assert (await officer.send("/reply 1 请明天上午来派出所")).texts == [bot.say("officer.relayed", number=1)]
    words = bot.say("notify.to_citizen", officer=OFFICERS[1001], number=1, text="请明天上午来派出所")
    await bot.until(lambda: words in villager.replies)

    mine = await villager.send("/myrequests")
    assert mine.texts[0].splitlines()[0] == bot.say("myrequests.header")
    assert mine.texts[0].splitlines()[1].startswith(f"#1 {KIND_TITLE} — {bot.say('status.accepted')}")

    assert (await officer.send("/done 1")).texts == [bot.say("officer.done", number=1)]
    await bot.until(lambda: bot.say("notify.done", number=1) in villager.replies)
    assert (await officer.send("/done 1")).texts == [bot.say("officer.closed", number=1)]
    assert (await officer.send("/queue")).texts == [bot.say("officer.queue_empty")]
    mine = await villager.send("/myrequests")
    assert mine.texts[0].splitlines()[1].startswith(f"#1 {KIND_TITLE} — {bot.say('status.done')}")
    # a relay to a closed request is refused, not lost silently
    assert (await officer.send("/reply 1 还有一件事")).texts == [bot.say("officer.closed", number=1)]


async def test_request_in_one_message_by_the_full_kind_id(bot: Bot) -> None:
    villager = await bot.registered(5012)
    opened = await villager.send("/request service.id_card_lost 身份证昨天在集市上丢了")
    assert opened.texts == [bot.say("request.created", number=1, officer=OFFICERS[1001])]
    assert bot.request(1).kind == "service.id_card_lost"
    await bot.cards_for(bot.officer(1001), 1)


async def test_photos_of_documents_reach_the_officer(bot: Bot) -> None:
    villager = await bot.registered(5013)
    await villager.send("/request hukou_newborn")
    assert villager.replies[-1] == bot.say("request.ask_details")
    sent = await villager.send_photo("孩子的出生医学证明")  # the caption is the description
    assert sent.texts == [bot.say("request.photo_saved", count=1), bot.say("request.ask_phone")]
    second = await villager.send_photo()
    assert second.texts == [bot.say("request.photo_saved", count=2)]
    await villager.send("13812345678")
    assert villager.replies[-1] == bot.say("request.created", number=1, officer=OFFICERS[1001])
    officer = bot.officer(1001)
    [card] = await bot.cards_for(officer, 1)
    assert card.text is not None and bot.say("card.attachments", count=2) in card.text
    assert "孩子的出生医学证明" in card.text

    def photos_sent() -> list[SentMessage]:
        photos = [m for m in officer.messages if m.kind == "photo"]
        return photos if len(photos) >= 2 else []

    photos = await bot.until(photos_sent, what="the two photos")
    largest = [s.message["photo"][-1]["file_id"] for s in (sent, second)]  # type: ignore[index]
    assert [p.photo for p in photos] == largest and [p.text for p in photos] == ["#1", "#1"]


async def test_a_village_without_officer_goes_to_the_duty_desk(bot: Bot) -> None:
    villager = bot.villager(5020, "村民5020")
    done = await villager.send("/start QS004")
    assert done.texts[-1] == bot.say("welcome.village_no_officer", village="云岭村", town=TOWN)
    assert (await villager.send("/officer")).texts == [bot.say("officer.none", village="云岭村", town=TOWN)]

    opened = await villager.send("/request id_card_lost 身份证丢了，要补办")
    assert opened.texts == [bot.say("request.created_desk", number=1, town=TOWN)]
    desk = bot.desk()
    [card] = await bot.cards_for(desk, 1)
    assert card.chat_id == DESKS[TOWN]
    assert not any(m.text and "#1" in m.text for o in OFFICERS for m in bot.officer(o).messages)

    # an officer of the town at the desk takes it with the card's button, then replies in the group
    desk_officer = bot.officer(1002)
    pressed = await desk_officer.press(bot.say("button.accept"), message=card, chat=desk)
    assert pressed.texts == [bot.say("officer.accepted", number=1)]
    await bot.until(lambda: bot.say("notify.accepted", number=1, officer=OFFICERS[1002]) in villager.replies)
    await desk_officer.reply_to(card, "请带户口本来派出所拍照", chat=desk)
    words = bot.say("notify.to_citizen", officer=OFFICERS[1002], number=1, text="请带户口本来派出所拍照")
    to_villager = await bot.until(lambda: next((m for m in villager.messages if m.text == words), None))
    await villager.reply_to(to_villager, "好的")
    # the villager's answer goes to the officer who took the request
    await bot.until(
        lambda: bot.say("notify.to_officer", number=1, name="村民5020", text="好的") in desk_officer.replies
    )
    assert (await desk_officer.send("/queue", chat=desk)).texts[0].startswith(bot.say("officer.queue_header"))


async def test_the_command_menu_is_set_in_both_languages(bot: Bot) -> None:
    zh = {c["command"]: c["description"] for c in bot.api.commands[("default", "zh")]}
    en = {c["command"]: c["description"] for c in bot.api.commands[("default", "en")]}
    assert {"start", "help", "officer", "request", "myrequests", "village", "lang", "cancel"} <= set(zh)
    assert list(zh) == list(en) == bot.api.commands_for("")  # the same menu; the default for other clients
    assert all(zh[c] == bot.say(f"commands.{c}", "zh") and en[c] == bot.say(f"commands.{c}", "en") for c in zh)
    assert zh != en

    # every command in the menu is one the bot knows
    villager = await bot.registered(5032)
    for command in zh:
        done = await villager.send(f"/{command}")
        assert done.texts and bot.say("unknown_command") not in done.texts, command
        await villager.send("/cancel")


async def test_english_users_are_answered_in_english(bot: Bot) -> None:
    villager = bot.villager(5030, "Tom", "en")
    done = await villager.send("/start QS002")
    assert done.texts == [
        bot.say("welcome", "en"),
        bot.say("welcome.village", "en", village="石桥村", town=TOWN, officer=OFFICERS[1001]),
    ]
    opened = await villager.send("/request id_card_lost I lost my ID card at the market")
    assert opened.texts == [bot.say("request.created", "en", number=1, officer=OFFICERS[1001])]
    await bot.officer(1001).send("/accept 1")
    await bot.until(lambda: bot.say("notify.accepted", "en", number=1, officer=OFFICERS[1001]) in villager.replies)

    # a Chinese client's user chooses English with the /lang button
    other = await bot.registered(5031)
    assert (await other.send("/lang")).texts == [bot.say("lang.choose")]
    assert (await other.press("English")).texts == [bot.say("lang.set", "en")]
    assert (await other.send("/myrequests")).texts == [bot.say("myrequests.none", "en")]
