"""The send lease in the database: one worker at a time holds it and sends to other people.

Several webhook workers share one PostgreSQL; each paced as if it were alone, two of them met
hundreds of 429s (issue 15). The holder renews the lease every few seconds; when it dies, another
takes the lease once `expires_at` has passed. One conditional UPDATE does it on every backend:
whoever matches `holder = me OR expires_at < now` holds it, the others match nothing.
`paused_until` is Telegram's flood wait, which holds for the whole bot: every worker keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from bot.store.models_lease import SendLease
from bot.store.sql import insert_ignore, rowcount
from bot.store.types import utcnow

NAME = "sender"
EPOCH = datetime.fromisoformat("1970-01-01T00:00:00+00:00")


@dataclass(frozen=True)
class Held:
    """The outcome of a renewal: whether this worker holds the lease, whom it took it from
    (a holder whose lease had run out: its claims are orphans), and the shared flood wait."""

    held: bool
    took_from: str | None
    paused_until: datetime


def renew(
    session: Session, holder: str, ttl: timedelta, *, paused_until: datetime | None = None, now: datetime | None = None
) -> Held:
    """Take or keep the lease for `ttl`; record a flood wait this worker met (the later one wins)."""
    now = now or utcnow()
    insert_ignore(session, SendLease, {"name": NAME, "holder": None, "expires_at": EPOCH, "paused_until": EPOCH},
                  ["name"])
    row = session.scalars(select(SendLease).where(SendLease.name == NAME)).one()
    before = row.holder
    session.expire(row)
    mine = and_(SendLease.name == NAME, or_(SendLease.holder == holder, SendLease.expires_at < now,
                                            SendLease.holder.is_(None)))
    held = rowcount(session.execute(update(SendLease).where(mine).values(holder=holder, expires_at=now + ttl))) == 1
    if paused_until is not None:
        later = and_(SendLease.name == NAME, SendLease.paused_until < paused_until)
        session.execute(update(SendLease).where(later).values(paused_until=paused_until))
    shared = session.scalars(select(SendLease.paused_until).where(SendLease.name == NAME)).one()
    took_from = before if held and before not in (None, holder) else None
    return Held(held, took_from, shared)


def give_up(session: Session, holder: str, *, now: datetime | None = None) -> bool:
    """A clean stop: the lease is free at once for the next worker (True if it was ours)."""
    statement = update(SendLease).where(SendLease.name == NAME, SendLease.holder == holder)
    return rowcount(session.execute(statement.values(holder=None, expires_at=now or utcnow()))) == 1


def holder(session: Session, *, now: datetime | None = None) -> str | None:
    """Who holds the lease now (None: nobody, or it ran out)."""
    row = session.get(SendLease, NAME)
    return row.holder if row is not None and row.expires_at >= (now or utcnow()) else None
