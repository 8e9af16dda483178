"""One tap: the persistent keyboard of big buttons under a villager's private chat.

Each button sends its label as plain text; the core knows the labels of both languages (faq/
messages.yaml, `keyboard.*`), so a tap is recognised whatever language the keyboard was shown in.
What each tap does is routed by `Conversation` (`TAPS`), since it belongs to several role modules."""

from __future__ import annotations

from dataclasses import replace

from bot.core.answers import title_button
from bot.core.turn import Turn
from bot.core.types import Outcome, Reply

FAQ = "keyboard.faq"
CHECK = "keyboard.check"
OFFICER = "keyboard.officer"
MYREQUESTS = "keyboard.myrequests"
ROWS = ((FAQ, CHECK), (OFFICER, MYREQUESTS))  # two big buttons a row: readable on a small phone
LANGS = ("zh", "en")
# a few common frauds, one tap each under "❓ 防骗问答" (typing a question works as always)
FAQ_MENU = ("fraud.impersonate_police", "fraud.fake_customer_service", "fraud.verification_code",
            "fraud.phishing_link", "fraud.already_scammed")


def main(turn: Turn) -> tuple[tuple[str, ...], ...]:
    """The keyboard in the villager's language; none in a group (everyone there would see it)."""
    if turn.msg.in_group:
        return ()
    return tuple(tuple(turn.say(key) for key in row) for row in ROWS)


def with_main(turn: Turn, outcome: Outcome) -> Outcome:
    """The outcome with the keyboard on its first reply that has no inline buttons of its own."""
    keys = main(turn)
    replies = list(outcome.replies)
    for i, reply in enumerate(replies):
        if keys and not reply.buttons and not reply.contact_button:
            replies[i] = replace(reply, keyboard=keys)
            break
    return Outcome(tuple(replies), outcome.state, outcome.notes, outcome.queued)


def tapped(turn: Turn) -> str | None:
    """The key of the button whose label this text is, in either language."""
    text = turn.msg.text.strip()
    if not text or turn.msg.in_group or len(text) > 40:
        return None
    faq = turn.knowledge.faq
    for row in ROWS:
        for key in row:
            if any(text == faq.message(key, lang) for lang in LANGS):
                return key
    return None


def on_faq_menu(turn: Turn) -> Outcome:
    """"❓ 防骗问答": type a question, or tap one of the common ones."""
    faq = turn.knowledge.faq
    rows = tuple((title_button(faq[i], turn.lang),) for i in FAQ_MENU if i in faq.intents)
    return Outcome((Reply(turn.say("keyboard.faq_prompt"), rows),))
