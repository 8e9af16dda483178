"""Village groups linked to the bot: which village a Telegram group belongs to.

A group is linked from inside it (`/linkgroup CODE`), so its chat id is never typed by hand; it is
unlinked by `/unlinkgroup` there, an admin's Unlink button, or the bot's removal from it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.store.models import Village
from bot.store.models_outreach import LinkedGroup
from bot.store.sql import rowcount
from bot.store.types import utcnow


@dataclass(frozen=True)
class Linked:
    chat_id: int
    title: str
    village_code: str
    village_name: str


def get(session: Session, chat_id: int) -> LinkedGroup | None:
    """The link of this group, None when it is not linked."""
    return session.get(LinkedGroup, chat_id)


def link(session: Session, chat_id: int, village_id: int, title: str, by: int) -> bool:
    """Link the group to the village (or move it to another); False when it already was to this one."""
    row = session.get(LinkedGroup, chat_id)
    if row is not None and row.village_id == village_id:
        row.title = title[:255] or row.title
        return False
    if row is None:
        row = LinkedGroup(chat_id=chat_id)
        session.add(row)
    row.village_id, row.title, row.linked_by, row.linked_at = village_id, title[:255], by, utcnow()
    session.flush()
    return True


def unlink(session: Session, chat_id: int) -> bool:
    """Forget the group's link; False when it had none."""
    return rowcount(session.execute(delete(LinkedGroup).where(LinkedGroup.chat_id == chat_id))) == 1


def listing(session: Session) -> list[Linked]:
    """Every linked group with its village, by village code then title."""
    rows = session.execute(
        select(LinkedGroup.chat_id, LinkedGroup.title, Village.code, Village.name)
        .join(Village, Village.id == LinkedGroup.village_id)
        .order_by(Village.code, LinkedGroup.title, LinkedGroup.chat_id)
    )
    return [Linked(*row) for row in rows]


def chats_of(session: Session, village_ids: list[int]) -> list[int]:
    """The chats of the groups linked to these villages."""
    statement = select(LinkedGroup.chat_id).where(LinkedGroup.village_id.in_(village_ids)).order_by(LinkedGroup.chat_id)
    return list(session.scalars(statement))


def count_of(session: Session, village_ids: list[int]) -> int:
    """How many groups are linked to these villages."""
    return int(session.scalars(select(func.count()).where(LinkedGroup.village_id.in_(village_ids))).one())
