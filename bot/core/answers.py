"""FAQ answers and the fallback as plain replies: text and buttons, no channel in sight."""

from __future__ import annotations

from bot.core.types import Button, Reply
from bot.services import Knowledge
from intents.faq import Intent
from intents.matcher import Match


def title_button(intent: Intent, lang: str) -> Button:
    return Button(intent.title.get(lang), f"faq:{intent.id}")


def answer_reply(knowledge: Knowledge, intent_id: str, lang: str) -> Reply:
    """The first message of one intent's answer, one screen long: what to do now and the red flags;
    "More" sends the whole answer. A routable one carries the button that opens a request."""
    intent = knowledge.faq[intent_id]
    first = (more_button(knowledge, intent_id, lang), listen_button(knowledge, intent_id, lang))
    return Reply(intent.first(lang), (first, *request_row(knowledge, intent, lang)))


def more_reply(knowledge: Knowledge, intent_id: str, lang: str) -> Reply:
    """"More": the whole answer, the story and the full checklist."""
    intent = knowledge.faq[intent_id]
    return Reply(intent.full(lang), request_row(knowledge, intent, lang))


def request_row(knowledge: Knowledge, intent: Intent, lang: str) -> tuple[tuple[Button, ...], ...]:
    if intent.routable and not intent.urgent:
        return ((Button(knowledge.faq.message("button.open_request", lang), f"req:{intent.id}"),),)
    return ()


def more_button(knowledge: Knowledge, intent_id: str, lang: str) -> Button:
    return Button(knowledge.faq.message("button.more", lang), f"more:{intent_id}")


def listen_button(knowledge: Knowledge, intent_id: str, lang: str) -> Button:
    """"🔊 Listen": the answer spoken, as a voice note (bot/core/media.py)."""
    return Button(knowledge.faq.message("button.listen", lang), f"say:{intent_id}")


def fallback_reply(knowledge: Knowledge, match: Match, lang: str) -> Reply:
    """"Not sure": the top suggestions as buttons, and the offer to ask the village officer."""
    faq = knowledge.faq
    suggestions = [faq[i] for i in match.suggestions if i in faq.intents]
    ask = (Button(faq.message("button.ask_officer", lang), "askofficer"),)
    if not suggestions:
        text = f"{faq.message('fallback.none', lang)}\n{faq.message('fallback.officer_hint', lang)}"
        return Reply(text, (ask,))
    lines = [faq.message("fallback", lang)]
    lines += [f"• {i.title.get(lang)}" for i in suggestions]
    lines.append(faq.message("fallback.officer_hint", lang))
    rows = tuple((title_button(i, lang),) for i in suggestions)
    return Reply("\n".join(lines), (*rows, ask))
