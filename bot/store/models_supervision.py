"""Tables of public supervision: villagers' ratings of closed requests, complaints about officers
(to the town's supervisor, never to the officer concerned), and the outcome of closed disputes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base, _in
from bot.store.types import UTCDateTime, utcnow


class Score(StrEnum):
    """A rating's three taps; the number is what the button carries (`rate:<request>:<n>`)."""

    UNSATISFIED = "1"  # 不满意
    FAIR = "2"  # 基本满意
    SATISFIED = "3"  # 满意


class ComplaintKind(StrEnum):
    MONEY = "money"  # asked for money, gifts or favours: urgent
    CONDUCT = "conduct"  # any other conduct
    RATING = "rating"  # an 不满意 rating of a closed request


class ComplaintStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Outcome(StrEnum):
    """How a dispute-mediation request ended."""

    SETTLED = "settled"  # 调解成功
    UNSETTLED = "unsettled"  # 未成功
    REFERRED = "referred"  # 转交: the mediation committee, the court or another department


class Rating(Base):
    """A villager's rating of their closed request: one per request."""

    __tablename__ = "ratings"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 3", name="score"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), unique=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), index=True)  # who closed it
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id"))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Complaint(Base):
    """A villager's complaint about an officer; its id is the number the villager is told."""

    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint(_in("kind", ComplaintKind), name="kind"),
        CheckConstraint(_in("status", ComplaintStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    town_id: Mapped[int | None] = mapped_column(ForeignKey("towns.id"), index=True)  # None: the admins'
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))  # the officer concerned
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
    kind: Mapped[str] = mapped_column(String(16))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text, default="")  # the villager's words (a record, as a request's details)
    status: Mapped[str] = mapped_column(String(16), default=ComplaintStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(BigInteger)  # the supervisor's Telegram id
    note: Mapped[str | None] = mapped_column(Text)  # what the villager is told when it is closed


class DisputeOutcome(Base):
    """The outcome the officer recorded when closing a dispute-mediation request."""

    __tablename__ = "dispute_outcomes"
    __table_args__ = (CheckConstraint(_in("outcome", Outcome), name="outcome"),)

    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), primary_key=True, autoincrement=False)
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
