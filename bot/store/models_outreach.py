"""Tables of outreach and of what the bot is used for: alerts to villagers and their deliveries,
officers' village duty log, questions asked and scam checks (the station's report reads them)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base, _in
from bot.store.types import UTCDateTime, utcnow


class AlertStatus(StrEnum):
    DRAFT = "draft"  # previewed, waiting for the sender's confirmation
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"


class DutyKind(StrEnum):
    CONTACT = "contact"  # with the village cadres, weekly
    VISIT = "visit"  # on site, monthly
    DEED = "deed"  # a practical deed for the village, quarterly


class Alert(Base):
    """A fraud alert to every opted-in villager of a scope: a village code, a town name or `all`."""

    __tablename__ = "alerts"
    __table_args__ = (CheckConstraint(_in("status", AlertStatus), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(100))
    text_zh: Mapped[str] = mapped_column(Text, default="")
    text_en: Mapped[str] = mapped_column(Text, default="")
    photo: Mapped[str | None] = mapped_column(String(255))
    created_by: Mapped[int] = mapped_column(BigInteger)  # the sender's Telegram user id
    status: Mapped[str] = mapped_column(String(16), default=AlertStatus.DRAFT)
    total: Mapped[int] = mapped_column(Integer, default=0)
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)  # where the live progress is shown
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AlertDelivery(Base):
    """One recipient of one alert: the unique pair is what makes it reach each person once."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("alert_id", "citizen_id"),
        CheckConstraint(_in("status", DeliveryStatus), name="status"),
        Index("ix_alert_deliveries_due", "alert_id", "status", "next_attempt_at"),
        # a group gets an alert once, as a citizen does (their pair above: NULLs never clash)
        Index(
            "uq_alert_deliveries_group",
            "alert_id",
            "chat_id",
            unique=True,
            sqlite_where=text("citizen_id IS NULL"),
            postgresql_where=text("citizen_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"))
    # None for a linked village group (bot/store/linked_groups.py): the group's chat is the recipient
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    lang: Mapped[str] = mapped_column(String(2), default="zh")
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
    sending_since: Mapped[datetime | None] = mapped_column(UTCDateTime)  # set just before the call


class DutyLog(Base):
    """An officer's village duty: a contact with the cadres, a visit on site, a practical deed."""

    __tablename__ = "duty_logs"
    __table_args__ = (CheckConstraint(_in("kind", DutyKind), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    photo: Mapped[str | None] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class AskedQuestion(Base):
    """A question the matcher answered or could not: the report shows the FAQ's gaps from these."""

    __tablename__ = "asked_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"))
    text: Mapped[str] = mapped_column(Text)  # masked: no phone or ID numbers
    intent: Mapped[str | None] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float, default=0.0)
    fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    # the review loop (bot/review.py): an intent id, "out_of_scope" or "skip"; by whom ("telegram:ID",
    # "terminal:USER") and when. A question is offered for review once.
    review: Mapped[str | None] = mapped_column(String(64))
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScamCheck(Base):
    """A message a villager asked us to check, and the verdict."""

    __tablename__ = "scam_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"))
    text: Mapped[str] = mapped_column(Text)  # masked, and cut to a few thousand characters
    verdict: Mapped[str] = mapped_column(String(16))
    risk: Mapped[float] = mapped_column(Float, default=0.0)
    type: Mapped[str | None] = mapped_column(String(64))
    reported_request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))


class LinkedGroup(Base):
    """A village's Telegram group, linked by its officer or an admin with `/linkgroup CODE` in it:
    the bot guards it against scam posts, and the village's alerts reach it."""

    __tablename__ = "linked_groups"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    title: Mapped[str] = mapped_column(String(255), default="")
    linked_by: Mapped[int] = mapped_column(BigInteger)  # the officer's or admin's Telegram user id
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
