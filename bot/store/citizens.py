"""Citizens: the villagers who talk to the bot, their village, language and conversation state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.orm import Session

from bot.store.models import Citizen, Officer, Outbox, OutboxStatus
from bot.store.sql import insert_ignore, rowcount
from bot.store.types import utcnow

LANGS = ("zh", "en")
# built once: making a statement costs more than running it (every message looks its writer up)
_BY_USER_ID = select(Citizen).where(Citizen.user_id == bindparam("user_id"))
_WITH_OFFICER = (
    select(Citizen, Officer)
    .outerjoin(Officer, and_(Officer.telegram_id == Citizen.user_id, Officer.active.is_(True)))
    .where(Citizen.user_id == bindparam("user_id"))
)


def by_user_id(session: Session, user_id: int) -> Citizen | None:
    """The citizen with this Telegram user id, if known."""
    return session.scalars(_BY_USER_ID, {"user_id": user_id}).one_or_none()


def get(session: Session, citizen_id: int) -> Citizen | None:
    """The citizen with this database id."""
    return session.get(Citizen, citizen_id)


def get_or_create(session: Session, user_id: int, chat_id: int, *, lang: str = "zh", name: str = "") -> Citizen:
    """The citizen for this Telegram user (writing in their private chat `chat_id`), created on first contact."""
    return identify(session, user_id, chat_id, lang=lang, name=name)[0]


def identify(
    session: Session, user_id: int, chat_id: int, *, lang: str = "zh", name: str = "", private: bool = True
) -> tuple[Citizen, Officer | None]:
    """Who wrote: their citizen record (created on first contact) and, when the account is an
    active officer's, that officer. One query for both.

    The citizen's chat is where the bot writes to them about their requests and alerts: only ever
    their private chat. A message in a group changes nothing of it, nor unblocks them (Telegram's
    private chat with a user has the user's id, so a first contact in a group gets that)."""
    values = {
        "user_id": user_id,
        "chat_id": chat_id if private else user_id,
        "lang": lang if lang in LANGS else "zh",
        "name": name[:200],
        "blocked": False,
        "alerts_opt_in": True,
        "created_at": utcnow(),
    }
    row = session.execute(_WITH_OFFICER, {"user_id": user_id}).one_or_none()
    if row is None:
        # two workers may see a new user's first two messages at once: insert-or-ignore, then read
        insert_ignore(session, Citizen, values, ["user_id"])
        row = session.execute(_WITH_OFFICER, {"user_id": user_id}).one()
    citizen, officer = row  # a Row is a tuple
    if private and citizen.chat_id != chat_id:
        citizen.chat_id = chat_id
    if private and citizen.blocked:
        citizen.blocked = False  # they wrote to us privately, so the chat works again
        resume_held(session, chat_id)
    if name and citizen.name != name[:200]:
        citizen.name = name[:200]
    return citizen, officer


def set_village(session: Session, citizen: Citizen, village_id: int | None) -> None:
    """Register (or clear) the citizen's village."""
    citizen.village_id = village_id
    session.flush()


def set_lang(session: Session, citizen: Citizen, lang: str) -> None:
    """Set the citizen's language: 'zh' or 'en'."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: expected one of {LANGS}")
    citizen.lang = lang
    session.flush()


def set_alerts(session: Session, citizen: Citizen, opt_in: bool) -> None:
    """Opt the citizen in to (or out of) fraud alerts."""
    citizen.alerts_opt_in = opt_in
    session.flush()


def set_state(session: Session, citizen: Citizen, state: str | None, data: dict[str, Any] | None = None) -> None:
    """Store the conversation step and its data (None ends the conversation)."""
    citizen.state = state
    # a new dict, never the old one mutated: the JSON column only notices reassignment
    citizen.state_data = dict(data) if data is not None and state is not None else None
    session.flush()


def mark_blocked(session: Session, chat_id: int, blocked: bool = True) -> int:
    """Flag the citizens of this chat as having blocked the bot; returns how many."""
    found = session.scalars(select(Citizen).where(Citizen.chat_id == chat_id, Citizen.blocked != blocked)).all()
    for citizen in found:
        citizen.blocked = blocked
    if not blocked:
        resume_held(session, chat_id)
    session.flush()
    return len(found)


def resume_held(session: Session, chat_id: int) -> int:
    """The chat works again: the outbox rows held for it (`blocked`, see outbox.py) are due at once,
    in their order, tried afresh. Here and not in outbox.py, which flags citizens (no import cycle)."""
    statement = (
        update(Outbox)
        .where(Outbox.chat_id == chat_id, Outbox.status == OutboxStatus.BLOCKED)
        .values(status=OutboxStatus.PENDING.value, attempts=0, next_attempt_at=utcnow(), sending_since=None)
    )
    return rowcount(session.execute(statement))
