"""One sender among several workers: only the worker holding the send lease runs the outbox
dispatcher and the alert engine, so Telegram's budget (30 a second overall, 1 a second per chat,
20 a minute per group) is paced by one pacer, whichever worker took the update.

Why a lease rather than a token bucket shared in the database: a bucket costs a round trip to the
database per message (thousands a minute during an alert) and still needs per-chat gaps shared too;
the lease costs one UPDATE every `RENEW_EVERY` seconds per worker, and the pacer that already keeps
one process within every limit (benchmarks/alerts.py) keeps the whole bot within them
(benchmarks/workers.py). A worker's direct replies (one per incoming message, to the chat that
wrote) stay its own. The whole bot's flood wait (bot/core/pace.py) is shared through `paused_until`.

Single-process SQLite deployments: the lease is theirs, with no database round trip (`shared=False`).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.store import alerts, send_lease
from bot.store.types import utcnow

log = logging.getLogger(__name__)

TTL = 10.0  # seconds a lease lasts unrenewed: a killed holder's successor starts sending within this
RENEW_EVERY = 2.0  # seconds between renewals: a slow database round trip or two is no loss of the lease
MARGIN = 2.0  # seconds before the lease's end at which its holder stops starting sends


class SenderLease:
    """Whether this worker may send to other people now; renewed by a timer (`renew`)."""

    def __init__(
        self,
        db: sessionmaker[Session],
        *,
        shared: bool = True,
        ttl: float = TTL,
        holder: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.shared = shared
        self.ttl = ttl
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.clock = clock
        self.valid_until = 0.0  # on this worker's clock: the lease's end as renewed, less the margin
        self.paused_until = 0.0  # on this worker's clock: the flood wait the others recorded

    @property
    def held(self) -> bool:
        return not self.shared or self.clock() < self.valid_until

    def renew(self, pause: float = 0.0) -> bool:
        """Take or keep the lease (a database round trip; call it in a thread). `pause`: the seconds
        of a flood wait this worker is keeping, shared with the others. True when it was just taken."""
        if not self.shared:
            return False
        asked, was_held = self.clock(), self.held
        now = utcnow()
        until = now + timedelta(seconds=pause) if pause > 0 else None
        with self.db.begin() as session:
            result = send_lease.renew(session, self.holder, timedelta(seconds=self.ttl), paused_until=until, now=now)
            if result.took_from is not None:
                orphans = alerts.release_orphans(session, now=now)
                log.warning("took the send lease from %s (it had run out); %d alert deliveries it had claimed "
                            "are due again", result.took_from, orphans)
        # counted from before the round trip: the database may have renewed it a moment later, never earlier
        self.valid_until = asked + self.ttl - MARGIN if result.held else 0.0
        self.paused_until = asked + max(0.0, (result.paused_until - now).total_seconds())
        if result.held != was_held:
            log.info("send lease %s by %s", "taken" if result.held else "lost", self.holder)
        return result.held and not was_held

    def give_up(self) -> None:
        """A clean stop: another worker may take the lease at once."""
        if not self.shared or not self.valid_until:
            return
        self.valid_until = 0.0
        with self.db.begin() as session:
            send_lease.give_up(session, self.holder)
