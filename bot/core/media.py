"""Beyond typed text: an answer heard as a voice note, a screenshot read and checked, a voice note
heard, and a voice note not heard answered with big buttons and the officer's phone.

The channel hears a villager's voice note before the turn (voice/hearing.py, Whisper base, when
the `hearing` extra is installed and `voice.hearing` is auto) and the core gets a text turn with
`heard` set: answered like typed text, its first reply led by what was heard, so a mishearing
shows, and a "not what I said" button to the big buttons. Whisper base gets many characters wrong
(README "Voice notes in"), so what it does not trust arrives as a voice note, answered as before."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.core import checks
from bot.core.answers import title_button
from bot.core.turn import Turn
from bot.core.types import Button, Outcome, Reply, Speech
from bot.store import roster

QUOTE_CHARS = 30  # the first words read from a screenshot, shown so the villager sees what was read
# The big buttons under the reply to a voice note: the questions elderly villagers most need,
# then "ask my officer" (bot/core/conversation.py ASK_OFFICER)
VOICE_MENU = ("fraud.general_tips", "fraud.already_scammed", "fraud.phishing_link")
ASK_OFFICER = "askofficer"
MISHEARD = "misheard"  # the button under a heard voice note's answer: "not what I said"
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def on_say(turn: Turn) -> Outcome:
    """"🔊 Listen": the answer's speech (the kiosk's words) as a voice note; the channel renders it."""
    intent = turn.knowledge.faq.get((turn.msg.button or "").partition(":")[2])
    if intent is None:
        return turn.reply("unsupported.other")
    spoken = intent.speech.get(turn.lang) or intent.answer.get(turn.lang)
    caption = turn.say("listen.caption", title=intent.title.get(turn.lang))
    return Outcome((Reply(caption, voice=Speech(spoken, turn.lang)),))


def on_photo(turn: Turn) -> Outcome:
    """A photo outside a request step: the words the channel read in it, checked like a forwarded
    message; the reply quotes the first words, so the villager sees what was read."""
    read = next((a.text for a in turn.msg.attachments if a.kind == "photo" and a.text.strip()), "")
    if not read:
        return turn.reply("photo.unreadable")
    words = " ".join(message_lines(read.split("\n")))
    quote = words if len(words) <= QUOTE_CHARS else words[:QUOTE_CHARS] + "…"
    outcome = checks.verdict(turn, read)
    first, *rest = outcome.replies
    lead = Reply(f"{turn.say('photo.read', quote=quote)}\n\n{first.text}", first.buttons)
    return Outcome((lead, *rest), outcome.state, outcome.notes)


def message_lines(lines: list[str]) -> list[str]:
    """The lines from the message's first on: a screenshot starts with a clock, a sender and a
    date, which tell the villager nothing of what was read. The first line with 6 Chinese
    characters or 20 characters in all starts the message; without one, every line."""
    for i, line in enumerate(lines):
        if len(_CJK.findall(line)) >= 6 or len(line) >= 20:
            return lines[i:]
    return lines


def on_voice(turn: Turn) -> Outcome:
    """A voice note: we cannot listen, so never a dead end: big buttons, and the officer's phone."""
    faq = turn.knowledge.faq
    lines = [turn.say("voice.cannot_listen")]
    village = roster.village(turn.session, turn.citizen.village_id) if turn.citizen.village_id else None
    officer = roster.village_officer(turn.session, village.id) if village is not None else None
    if officer is not None:
        lines.append(turn.say("voice.officer", name=officer.name, phone=officer.phone))
    else:
        lines.append(turn.say("voice.no_officer"))
    rows = tuple((title_button(faq[i], turn.lang),) for i in VOICE_MENU if i in faq.intents)
    ask = (Button(turn.say("button.ask_officer"), ASK_OFFICER),)
    return Outcome((Reply("\n".join(lines), (*rows, ask)),))


def heard(turn: Turn, outcome: Outcome) -> Outcome:
    """The outcome of a voice note's heard text, its first reply led by what was heard and, where
    the reply has no keyboard of its own, a way out if it was heard wrong."""
    line = turn.say("voice.heard", text=turn.msg.text.strip())
    if not outcome.replies:
        return replace(outcome, replies=(Reply(line, ((Button(turn.say("button.misheard"), MISHEARD),),)),))
    first, *rest = outcome.replies
    buttons = first.buttons
    if not (first.keyboard or first.contact_button or first.force_reply):
        buttons = (*buttons, (Button(turn.say("button.misheard"), MISHEARD),))
    lead = replace(first, text=f"{line}\n\n{first.text}", buttons=buttons)
    return replace(outcome, replies=(lead, *rest))


BUTTONS = {"say": on_say, MISHEARD: on_voice}
