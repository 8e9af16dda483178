"""Timed upkeep (bot/core/periodic.py): the outbox's gauges for /metrics, and the retention."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot import metrics
from bot.services import Services
from bot.store import outbox, retention
from bot.store.types import utcnow

log = logging.getLogger(__name__)


def measure_outbox(services: Services) -> int:
    """The outbox's depth and how late its earliest due row is, for /metrics: two indexed queries on a
    timer, whatever the number of scrapes."""
    with services.db() as session:
        pending = outbox.pending_count(session)
        earliest = outbox.next_due(session)
    metrics.OUTBOX_PENDING.set(pending)
    metrics.OUTBOX_OLDEST_DUE.set(max(0.0, (utcnow() - earliest).total_seconds()) if earliest is not None else 0.0)
    return 0


def purge_old(services: Services) -> int:
    """Delete asked questions and scam checks older than `retention.questions_days`, and what was
    sent older than `retention.sent_days` (0: never); bot/store/retention.py says what stays."""
    settings = services.settings.retention
    purges = ((settings.questions_days, retention.purge_before), (settings.sent_days, retention.purge_sent_before))
    for days, purge in purges:
        if days <= 0:
            continue
        with services.db.begin() as session:
            gone = purge(session, utcnow() - timedelta(days=days))
        for table, rows in gone.items():
            metrics.RETENTION_PURGED.labels(table).inc(rows)
        if any(gone.values()):
            log.info("retention: deleted %s older than %d days", ", ".join(f"{n} {t}" for t, n in gone.items()), days)
    return 0
