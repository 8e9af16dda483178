"""FAQ answers and the fallback as plain replies: text and buttons, no channel in sight."""

from __future__ import annotations

from bot.core.types import Button, Reply
from bot.services import Knowledge
from intents.faq import Intent
from intents.matcher import Match


def title_button(intent: Intent, lang: str) -> Button:
    return Button(intent.title.get(lang), f"faq:{intent.id}")


def answer_reply(knowledge: Knowledge, intent_id: str, lang: str) -> Reply:
    """The answer of one intent; a routable one carries the button that opens a request."""
    faq = knowledge.faq
    intent = faq[intent_id]
    text = f"【{intent.title.get(lang)}】\n{intent.answer.get(lang)}"
    if intent.routable and not intent.urgent:
        return Reply(text, ((Button(faq.message("button.open_request", lang), f"req:{intent.id}"),),))
    return Reply(text)


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
