"""Whether a villager's words say something is happening right now, or are a question of their own
(sent where a step waited for a village name or a phone number)."""

from __future__ import annotations

from bot.core.turn import Turn
from bot.services import Knowledge
from intents.matcher import Match


def happening_now(turn: Turn, text: str) -> bool:
    """Whether the words alone say danger is happening at this moment (faq/urgency.yaml)."""
    return turn.knowledge.urgency.says_now(text)


def urgent(turn: Turn, text: str, match: Match | None = None) -> bool:
    """The one decision to page: whether the words say it is happening now (see `urgent_words`)."""
    return urgent_words(turn.knowledge, text, match)


def urgent_words(knowledge: Knowledge, text: str, match: Match | None = None) -> bool:
    """The words of faq/urgency.yaml decide; an intent flagged urgent counts as a danger named, so it
    pages only with words of the moment ("被骗了怎么办" is a question, "刚被骗了" pages)."""
    intent = knowledge.faq.get((match or knowledge.matcher.match(text)).intent)
    return knowledge.urgency.says_now(text, urgent_intent=intent is not None and intent.urgent)


def reads_as_question(turn: Turn, text: str) -> bool:
    """Whether text sent where a step expected a name or a number is a question of its own:
    something happening now, or a question whose words the FAQ answers with confidence (not its
    meaning: the sentence encoder reads a village name or a mistyped number as near some question)."""
    return happening_now(turn, text) or not turn.knowledge.matcher.match(text, meaning=False).fallback
