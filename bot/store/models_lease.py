"""The send lease: which worker sends the outbox and the alerts, and the flood wait they all keep."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base
from bot.store.types import UTCDateTime


class SendLease(Base):
    """One row (`name` 'sender'): the worker holding it until `expires_at` is the only one sending
    to other people; `paused_until` is Telegram's last flood wait, kept by every worker."""

    __tablename__ = "send_lease"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paused_until: Mapped[datetime] = mapped_column(UTCDateTime)
