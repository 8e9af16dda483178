"""Whether a villager's words say something is happening right now, or are a question of their own
(sent where a step waited for a village name or a phone number)."""

from __future__ import annotations

from functools import lru_cache

from bot.core.turn import Turn
from intents.matcher import Match, Matcher


def happening_now(turn: Turn, text: str) -> bool:
    """Whether the words say money is moving or a crime is happening at this moment."""
    norm = turn.knowledge.matcher.normalise(text)
    return any(p in norm for p in moments(turn.knowledge.matcher, turn.knowledge.faq.happening_now))


def urgent(turn: Turn, text: str, match: Match | None = None) -> bool:
    """Whether the words say it is happening now: an urgent intent, or the happening-now phrases."""
    intent = turn.knowledge.faq.get((match or turn.knowledge.matcher.match(text)).intent)
    return (intent is not None and intent.urgent) or happening_now(turn, text)


def reads_as_question(turn: Turn, text: str) -> bool:
    """Whether text sent where a step expected a name or a number is a question of its own:
    something happening now, or a question the FAQ answers with confidence."""
    return happening_now(turn, text) or not turn.knowledge.matcher.match(text).fallback


@lru_cache(maxsize=4)
def moments(matcher: Matcher, phrases: tuple[str, ...]) -> tuple[str, ...]:
    """The happening-now phrases normalised, once per FAQ (not on every message)."""
    return tuple(p for p in map(matcher.normalise, phrases) if p)
