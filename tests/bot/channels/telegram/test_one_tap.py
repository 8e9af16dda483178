"""One tap (issue 14, items 5-7): answering an officer without Telegram's swipe-to-reply, the big
buttons and the phone button, the menus of each kind of chat, and a card taken once."""

from __future__ import annotations

import copy

from bot.channels.telegram import menus
from tests.fakes import SentMessage

from .conftest import ADMIN, DESKS, OFFICERS, QINGSHAN, Bot

FORCE_REPLY = {"force_reply": True}
SCAMMED = "我刚刚被骗转了五千块"


def keyboard_labels(message: SentMessage | None) -> list[list[str]]:
    """The labels of a message's reply keyboard (not its inline buttons)."""
    assert message is not None
    rows = (message.reply_markup or {}).get("keyboard") or []
    return [[b["text"] if isinstance(b, dict) else b for b in row] for row in rows]


def big_buttons(bot: Bot, lang: str = "zh") -> list[list[str]]:
    return [
        [bot.say("keyboard.faq", lang), bot.say("keyboard.check", lang)],
        [bot.say("keyboard.officer", lang), bot.say("keyboard.myrequests", lang)],
    ]


async def test_a_villager_answers_an_officer_by_just_typing(bot: Bot) -> None:
    villager = await bot.registered(5601)
    officer = bot.officer(1001)
    await villager.send("/request hukou_newborn 孩子上个月出生，想上户口")
    [card] = await bot.cards_for(officer, 1)

    # Ask for details: the officer's reply box opens on the prompt
    asked = await officer.press(bot.say("button.ask_details"), message=card)
    assert asked.texts == [bot.say("officer.ask_prompt", number=1)]
    assert asked.replies[0].reply_markup == FORCE_REPLY
    await officer.send("孩子的名字定了吗？")
    question = bot.say("notify.to_citizen", officer=OFFICERS[1001], number=1, text="孩子的名字定了吗？")
    shown: SentMessage = await bot.until(lambda: next((m for m in villager.messages if m.text == question), None))
    assert shown.reply_markup == FORCE_REPLY  # the villager's reply box opens on the question

    # the villager just types (no swipe): it reaches the officer, not the FAQ matcher
    typed = await villager.send("叫张小明")
    assert typed.texts == [bot.say("relay.sent", number=1)]
    back = bot.say("notify.to_officer", number=1, name="村民5601", text="叫张小明")
    answer: SentMessage = await bot.until(lambda: next((m for m in officer.messages if m.text == back), None))
    assert answer.reply_markup == FORCE_REPLY  # and the officer's box opens on the answer

    # a clear question of their own gets its answer, and a way to send it to the officer after all
    asked_faq = await villager.send("身份证丢了怎么补办")
    assert asked_faq.texts[0].startswith("【")
    assert asked_faq.texts[-1] == bot.say("answering.not_sent")
    assert villager.last is not None and villager.last.buttons == [[bot.say("button.send_to_officer")]]
    assert not any("身份证丢了怎么补办" in (m.text or "") for m in officer.messages)
    sent = await villager.press(bot.say("button.send_to_officer"))
    assert sent.texts == [bot.say("relay.sent", number=1)]
    forwarded = bot.say("notify.to_officer", number=1, name="村民5601", text="身份证丢了怎么补办")
    await bot.until(lambda: forwarded in officer.replies)

    # "谢谢" is an answer, not a question (the FAQ knows it as small talk)
    assert (await villager.send("谢谢")).texts == [bot.say("relay.sent", number=1)]

    # /cancel leaves the step: the next words are a question like any other
    assert (await villager.send("/cancel")).texts == [bot.say("cancelled")]
    assert bot.say("relay.sent", number=1) not in (await villager.send("叫张小明")).texts
    assert bot.events(1).count("relayed_to_officer") == 3


async def test_the_officer_closes_the_request_and_nobody_waits_any_more(bot: Bot) -> None:
    villager = await bot.registered(5602)
    officer = bot.officer(1001)
    await villager.send("/request hukou_newborn 孩子上个月出生，想上户口")
    await bot.cards_for(officer, 1)
    await officer.send("/reply 1 请带户口本来")
    await bot.until(lambda: any("请带户口本来" in (m.text or "") for m in villager.messages))
    assert bot.citizen(5602).state == "answering"
    await officer.send("/done 1")
    await bot.until(lambda: bot.say("notify.done", number=1) in villager.replies)
    assert bot.citizen(5602).state is None


async def test_the_phone_step_has_a_send_my_number_button(bot: Bot) -> None:
    villager = await bot.registered(5610)
    await villager.send("/request hukou_newborn")
    asked = await villager.send("孩子上个月出生，想上户口")
    assert asked.texts == [bot.say("request.ask_phone")]
    [[button]] = asked.replies[0].reply_markup["keyboard"]
    assert button == {"text": bot.say("keyboard.contact"), "request_contact": True}

    # someone else's contact card is not the villager's number
    other = await villager.send_contact("13900000000", "邻居")
    assert other.texts == [bot.say("request.contact_not_own")]
    assert bot.requests() == []

    # their own, as the button shares it (Telegram writes it without "+")
    own = await villager.send_contact("8613812345678")
    assert own.texts == [bot.say("request.created", number=1, officer=OFFICERS[1001])]
    assert bot.request(1).contact_phone == "13812345678"
    assert keyboard_labels(own.replies[0]) == big_buttons(bot)  # the big buttons are back

    # outside the phone step, a contact gets the usual answer
    assert (await villager.send_contact("8613812345678")).texts == [bot.say("unsupported.contact")]


async def test_start_shows_the_big_buttons_and_each_one_works(bot: Bot) -> None:
    villager = bot.villager(5620, "村民5620")
    started = await villager.send("/start QS001")
    welcome = started.replies[0]
    assert keyboard_labels(welcome) == big_buttons(bot)
    assert welcome.reply_markup is not None and welcome.reply_markup.get("is_persistent") is True

    officer = await villager.send(bot.say("keyboard.officer"))
    assert officer.texts == [
        bot.say("officer.card", name=OFFICERS[1001], phone="13800000001", village="青山村", town=QINGSHAN)
    ]
    assert (await villager.send(bot.say("keyboard.myrequests"))).texts == [bot.say("myrequests.none")]
    menu = await villager.send(bot.say("keyboard.faq"))
    assert menu.texts == [bot.say("keyboard.faq_prompt")] and len(menu.replies[0].buttons) >= 3
    answered = await villager.press(menu.replies[0].buttons[0][0])
    assert answered.texts[0].startswith("【")

    # "check a message": the next text pasted is checked, not matched against the FAQ
    assert (await villager.send(bot.say("keyboard.check"))).texts == [bot.say("check.paste_prompt")]
    checked = await villager.send("【公安局】您涉嫌洗钱，请立即将资金转入安全账户配合调查，否则冻结。")
    assert checked.texts[0].startswith("🚨")

    # an English keyboard's labels work too
    english = bot.villager(5621, "Jane", "en")
    await english.send("/start QS001")
    assert keyboard_labels(english.messages[0]) == big_buttons(bot, "en")
    assert (await english.send(bot.say("keyboard.myrequests", "en"))).texts == [bot.say("myrequests.none", "en")]


async def test_menus_per_scope_and_the_descriptions_are_set_at_start(bot: Bot) -> None:
    api = bot.api
    villagers = list(menus.VILLAGER)
    assert {"start", "check", "officer", "myrequests", "cancel"} <= set(villagers)
    assert api.commands_for("zh", "all_private_chats") == villagers == api.commands_for("en", "all_private_chats")
    assert api.commands_for("zh") == villagers
    staff = ["queue", "accept", "reply", "done", "alert", "kiosk", "log", "duty"]
    for officer in OFFICERS:
        assert api.commands_for(scope=f"chat:{officer}")[: len(staff)] == staff
    admin = api.commands_for(scope=f"chat:{ADMIN}")
    assert {"report", "reload"} <= set(admin) and "queue" not in admin
    for desk in DESKS.values():
        assert api.commands_for(scope=f"chat:{desk}")[:4] == ["queue", "accept", "reply", "done"]
    assert api.commands_for("zh", "all_group_chats") == ["check", "help"]
    for lang in ("zh", "en"):
        assert api.description_for(lang) == bot.say("bot.description", lang)
        assert api.description_for(lang, short=True) == bot.say("bot.short_description", lang)
    assert api.description_for() == bot.say("bot.description")


async def test_accepting_edits_every_copy_of_the_card(bot: Bot) -> None:
    villager = await bot.registered(5630)
    officer, desk = bot.officer(1001), bot.desk()
    await villager.send(SCAMMED)  # urgent: the card goes to the officer and the duty desk at once
    title = bot.say("card.title", urgent=bot.say("card.urgent"), number=1)

    def card_in(chat_messages: list[SentMessage]) -> SentMessage | None:
        return next((m for m in chat_messages if (m.text or "").startswith(title)), None)

    mine: SentMessage = await bot.until(lambda: card_in(officer.messages))
    at_desk: SentMessage = await bot.until(lambda: card_in(desk.messages))
    stale = copy.deepcopy(at_desk)  # as a slow phone at the desk still shows it
    accepted = await officer.press(bot.say("button.accept"), message=mine)
    assert accepted.texts == [bot.say("officer.accepted", number=1)]

    taken = bot.say("card.taken", officer=OFFICERS[1001])
    await bot.until(lambda: (at_desk.text or "").endswith(taken) and (mine.text or "").endswith(taken))
    assert at_desk.buttons == []  # nothing left to press at the desk
    assert mine.buttons == [[bot.say("button.ask_details"), bot.say("button.done")]]  # the taker works on
    assert at_desk.edits and mine.edits

    # a second Accept, from the desk's stale copy: who took it
    again = await bot.officer(1002).press(bot.say("button.accept"), message=stale, chat=desk)
    assert again.texts == [bot.say("officer.taken", number=1, officer=OFFICERS[1001])]
    assert bot.request(1).status == "accepted" and bot.officer_of(1) == 1001
