"""Message links: which request (or other thing) a message we sent stands for."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import MessageLink
from bot.store.sql import insert_ignore
from bot.store.types import utcnow


def link_message(session: Session, chat_id: int, message_id: int, ref: str) -> bool:
    """Remember that message `message_id` in `chat_id` stands for `ref`; False if already linked."""
    values = {"chat_id": chat_id, "message_id": message_id, "ref": ref, "created_at": utcnow()}
    return insert_ignore(session, MessageLink, values, ["chat_id", "message_id"])


def resolve_link(session: Session, chat_id: int, message_id: int) -> str | None:
    """What a replied-to message stands for (e.g. `request:12`), or None for a message we never linked."""
    statement = select(MessageLink.ref).where(MessageLink.chat_id == chat_id, MessageLink.message_id == message_id)
    return session.scalars(statement).one_or_none()
