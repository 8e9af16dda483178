"""Short first: an answer leads with what to do now and the red flags, one phone screen; "More"
sends the whole answer (issue 14, item 1)."""

from __future__ import annotations

from intents.faq import MAX_FIRST


def labels(reply):
    return [b.label for row in reply.buttons for b in row]


def test_a_fraud_question_gets_one_screen_and_more_sends_the_whole_answer(world):
    villager = world.person(7)
    villager.send("/start QS001")
    (first,) = villager.send("有人冒充公安说我涉嫌洗钱 让我转钱到安全账户")
    police = world.faq["fraud.impersonate_police"]
    assert first.text == f"【冒充公检法诈骗】\n{police.lead.zh}\n" + "\n".join(f"• {f}" for f in police.flags.zh)
    assert first.text.split("\n")[1].startswith("马上挂断")  # the action before anything else
    assert len(first.text) <= MAX_FIRST and police.answer.zh not in first.text
    assert labels(first) == [world.faq.message("button.more", "zh"), world.faq.message("button.listen", "zh")]
    (more,) = villager.press(world.faq.message("button.more", "zh"))
    assert more.text == f"【冒充公检法诈骗】\n{police.answer.zh}"


def test_a_service_answer_keeps_its_request_button_on_both_messages(world):
    villager = world.person(7)
    villager.send("/start QS001")
    (first,) = villager.send("身份证丢了怎么补办")
    request = world.faq.message("button.open_request", "zh")
    assert first.text == world.faq["service.id_card_lost"].first("zh") and request in labels(first)
    (more,) = villager.press(world.faq.message("button.more", "zh"))
    assert "40元" in more.text and labels(more) == [request]  # the fee, in the whole answer


def test_more_in_english(world):
    villager = world.person(8, lang="en")
    villager.send("/start QS001")
    (first,) = villager.send("Someone claiming to be police says my ID was used for money laundering")
    assert first.text == world.faq["fraud.impersonate_police"].first("en") and len(first.text) <= MAX_FIRST
    (more,) = villager.press("📖 More")
    assert 'There is no "safe account"' in more.text


def test_a_stale_more_button_of_an_intent_that_is_gone_is_refused(world):
    villager = world.person(7)
    replies = villager.sends("button", button="more:fraud.no_such_thing")
    assert replies[0].text == world.faq.message("unsupported.other", "zh")


def test_a_scam_verdict_fits_one_screen_for_every_kind_of_scam_in_both_languages(world):
    from bot.core.checks import first_message

    for intent in world.faq.by_kind("fraud"):
        for lang in ("zh", "en"):
            said = world.faq.message("check.scam", lang, risk=100)
            first = first_message(said, intent, lang)
            assert len(first) <= MAX_FIRST and first.startswith(said), (intent.id, lang, first)


def test_an_english_verdict_in_a_chat_is_one_screen(world):
    villager = world.person(9, lang="en")
    villager.send("/start QS001")
    (verdict,) = villager.send(
        "/check This is the police. Your account is involved in money laundering. Transfer all your savings "
        "to the safe account we give you today, and tell no one."
    )
    assert verdict.text.startswith(world.faq.message("check.scam", "en", risk=0)[:12])
    assert len(verdict.text) <= MAX_FIRST
