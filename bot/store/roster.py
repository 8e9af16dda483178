"""Roster queries: towns, villages, officers and who is assigned where right now."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Assignment, Officer, Town, Village


def has_villages(session: Session) -> bool:
    """Whether any roster has been imported."""
    return session.scalars(select(Village.id).limit(1)).first() is not None


def all_villages(session: Session) -> list[Village]:
    """Every village with its town, ordered by town then code."""
    statement = select(Village).join(Village.town).order_by(Town.name, Village.code)
    return list(session.scalars(statement))


def all_towns(session: Session) -> list[Town]:
    """Every town, by name."""
    return list(session.scalars(select(Town).order_by(Town.name)))


def village(session: Session, village_id: int) -> Village | None:
    """The village with this id."""
    return session.get(Village, village_id)


def village_by_code(session: Session, code: str) -> Village | None:
    """The village with this code, however it was typed (see `normalise_code`)."""
    return session.scalars(select(Village).where(Village.code == normalise_code(code))).one_or_none()


def normalise_code(code: str) -> str:
    """A village code as stored: full-width characters made half-width (NFKC, as a Chinese input
    method types `ＱＳ００１`), trimmed, upper case."""
    return unicodedata.normalize("NFKC", code).strip().upper()


def officer(session: Session, officer_id: int) -> Officer | None:
    """The officer with this id."""
    return session.get(Officer, officer_id)


def officer_by_telegram_id(session: Session, telegram_id: int, *, active_only: bool = True) -> Officer | None:
    """The officer using this Telegram account (only active officers unless asked otherwise)."""
    statement = select(Officer).where(Officer.telegram_id == telegram_id)
    if active_only:
        statement = statement.where(Officer.active.is_(True))
    return session.scalars(statement).one_or_none()


def officer_chats(session: Session) -> list[int]:
    """The Telegram ids of every active officer (their private chats), in order."""
    statement = select(Officer.telegram_id).where(Officer.active.is_(True), Officer.telegram_id.is_not(None))
    return sorted({int(t) for t in session.scalars(statement) if t is not None})


def village_officer(session: Session, village_id: int) -> Officer | None:
    """The active officer holding the village's open primary assignment, if any."""
    statement = (
        select(Officer)
        .join(Assignment, Assignment.officer_id == Officer.id)
        .where(
            Assignment.village_id == village_id,
            Assignment.primary.is_(True),
            Assignment.end_at.is_(None),
            Officer.active.is_(True),
        )
    )
    return session.scalars(statement).first()


def officer_villages(session: Session, officer_id: int) -> list[Village]:
    """The villages the officer is assigned to now (primary or not), by code."""
    statement = (
        select(Village)
        .join(Assignment, Assignment.village_id == Village.id)
        .where(Assignment.officer_id == officer_id, Assignment.end_at.is_(None))
        .order_by(Village.code)
        .distinct()
    )
    return list(session.scalars(statement))


def is_assigned(session: Session, officer_id: int, village_id: int) -> bool:
    """Whether the officer is assigned to the village right now."""
    statement = select(Assignment.id).where(
        Assignment.officer_id == officer_id, Assignment.village_id == village_id, Assignment.end_at.is_(None)
    )
    return session.scalars(statement.limit(1)).first() is not None


def duty_chat(session: Session, village_id: int) -> int | None:
    """The duty desk chat of the village's town (the fallback when it has no officer)."""
    statement = select(Town.duty_chat_id).join(Village, Village.town_id == Town.id).where(Village.id == village_id)
    return session.scalars(statement).one_or_none()


def town_by_duty_chat(session: Session, chat_id: int) -> Town | None:
    """The town whose duty desk is this chat (a desk acts for its town only)."""
    return session.scalars(select(Town).where(Town.duty_chat_id == chat_id)).first()


def assignment_history(session: Session, village_id: int) -> list[Assignment]:
    """Every assignment the village has had, oldest first."""
    statement = select(Assignment).where(Assignment.village_id == village_id).order_by(Assignment.id)
    return list(session.scalars(statement))


def set_officer_photo(session: Session, officer_id: int, photo: str | None) -> bool:
    """Set the photo (Telegram file id or path) shown by /officer; False for an unknown officer."""
    found = session.get(Officer, officer_id)
    if found is None:
        return False
    found.photo = photo
    session.flush()
    return True
