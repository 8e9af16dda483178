"""The database tables, SQLAlchemy 2.0 declarative. The schema itself changes only by migrations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.store.types import JSONText, UTCDateTime, utcnow

# Named constraints, so migrations can refer to them (and SQLite batch mode can rebuild tables).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class RequestStatus(StrEnum):
    OPEN = "open"
    WAITING = "waiting"  # the officer asked; waiting for the villager
    ACCEPTED = "accepted"
    DONE = "done"
    CANCELLED = "cancelled"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"


class Actor(StrEnum):
    CITIZEN = "citizen"
    OFFICER = "officer"
    SYSTEM = "system"
    DESK = "desk"


def _in(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Town(Base):
    __tablename__ = "towns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    duty_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    # who receives the town's complaints and 不满意 ratings (a Telegram id); None: the admins
    supervisor_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    duty_phone: Mapped[str | None] = mapped_column(String(32))  # the duty desk's phone, for posters


class Village(Base):
    __tablename__ = "villages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id"), index=True)

    town: Mapped[Town] = relationship(lazy="joined", innerjoin=True)


class Officer(Base):
    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20))
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    photo: Mapped[str | None] = mapped_column(String(255))  # a Telegram file id or a file path
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Assignment(Base):
    """An officer linked to a village from `start_at` until `end_at` (open while None)."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    primary: Mapped[bool] = mapped_column(Boolean, default=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    officer: Mapped[Officer] = relationship(lazy="joined", innerjoin=True)
    village: Mapped[Village] = relationship(lazy="joined", innerjoin=True)


# At most one open primary assignment per village (a partial unique index on both backends).
_OPEN_PRIMARY = Assignment.primary & Assignment.end_at.is_(None)
Index(
    "uq_assignments_open_primary",
    Assignment.village_id,
    unique=True,
    sqlite_where=_OPEN_PRIMARY,
    postgresql_where=_OPEN_PRIMARY,
)


class Citizen(Base):
    __tablename__ = "citizens"
    __table_args__ = (CheckConstraint("lang IN ('zh', 'en')", name="lang"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, unique=True)  # the Telegram user id
    chat_id: Mapped[int] = mapped_column(BigInteger)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    lang: Mapped[str] = mapped_column(String(2), default="zh")
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    alerts_opt_in: Mapped[bool] = mapped_column(Boolean, default=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[str | None] = mapped_column(String(64))  # the conversation step, if in one
    state_data: Mapped[dict[str, Any] | None] = mapped_column(JSONText)


class Request(Base):
    """A villager's request to their officer; its id is the number shown as #N."""

    __tablename__ = "requests"
    __table_args__ = (
        CheckConstraint(_in("status", RequestStatus), name="status"),
        Index("ix_requests_status_deadline", "status", "accept_deadline"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))  # an intent id, e.g. service.hukou_newborn
    details: Mapped[str] = mapped_column(Text, default="")
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    attachments: Mapped[list[dict[str, str]]] = mapped_column(JSONText, default=list)
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.OPEN.value)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), index=True)
    accept_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    village: Mapped[Village] = relationship(lazy="joined", innerjoin=True)
    citizen: Mapped[Citizen] = relationship(lazy="joined", innerjoin=True)


class RequestEvent(Base):
    """One line of a request's audit trail: a status change or a relayed message."""

    __tablename__ = "request_events"
    __table_args__ = (CheckConstraint(_in("actor", Actor), name="actor"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(32))  # created, accepted, asked, relayed_to_officer, ...
    text: Mapped[str | None] = mapped_column(Text)


class Outbox(Base):
    """A message to send; `dedupe_key` makes each one happen once however often it is enqueued."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(_in("status", OutboxStatus), name="status"),
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONText)  # text, buttons, photo, ref
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    ref: Mapped[str | None] = mapped_column(String(100), index=True)  # e.g. request:12
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # when Telegram's answer is unknown (a time-out, a crash between sending and recording): True sends
    # again (cards, pages: a duplicate is acceptable), False gives up (notices: a duplicate is a nuisance)
    at_least_once: Mapped[bool] = mapped_column(Boolean, default=False)
    sending_since: Mapped[datetime | None] = mapped_column(UTCDateTime)  # set just before the call
    # sent before every row that is not (an urgent request's cards: a page must not wait behind a backlog)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)


class SeenUpdate(Base):
    """A Telegram update id already handled, so a redelivered update changes nothing twice."""

    __tablename__ = "seen_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # what the turn answered (outbox payloads): told again, not recomputed, when the update comes again
    replies: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONText)


class InboxUpdate(Base):
    """A Telegram update as received, recorded before Telegram is told it arrived; handled_at is set
    once its handlers have run, so a start after a kill handles what was recorded but not handled."""

    __tablename__ = "inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    raw: Mapped[str] = mapped_column(Text)  # the update's JSON, as Telegram sent it
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class MessageLink(Base):
    """A message we sent, mapped to what it stands for, so a Telegram reply to it can be routed."""

    __tablename__ = "message_links"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    ref: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KioskAlert(Base):
    """An alert the village kiosk reads aloud until it expires."""

    __tablename__ = "kiosk_alerts"
    __table_args__ = (CheckConstraint("lang IN ('zh', 'en')", name="lang"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(2), default="zh")
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    spoken_count: Mapped[int] = mapped_column(Integer, default=0)


class StationFact(Base):
    """A fact the station's bot learned about itself, e.g. its Telegram username (from getMe at start)."""

    __tablename__ = "station_facts"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# The outreach, usage and supervision tables share this metadata (migrations and tests see every table).
from bot.store import models_lease, models_outreach, models_supervision  # noqa: E402, F401
