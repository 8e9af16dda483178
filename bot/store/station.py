"""What the station's bot knows about itself, learned at start (e.g. its Telegram username)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.store.models import StationFact
from bot.store.types import utcnow

BOT_USERNAME = "bot_username"


def remember(session: Session, key: str, value: str) -> None:
    fact = session.get(StationFact, key)
    if fact is None:
        session.add(StationFact(key=key, value=value, updated_at=utcnow()))
    elif fact.value != value:
        fact.value, fact.updated_at = value, utcnow()
    session.flush()


def recall(session: Session, key: str) -> str | None:
    fact = session.get(StationFact, key)
    return fact.value if fact is not None else None


def bot_username(session: Session, configured: str) -> str | None:
    """The bot's @name: as Telegram told it at the last start, else as configured; None when unknown."""
    return recall(session, BOT_USERNAME) or configured.strip().lstrip("@") or None
