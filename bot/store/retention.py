"""Retention: the villagers' own words (asked questions, scam checks) are deleted after
`retention.questions_days`. Requests, their audit trail and everything else are kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.store.models_outreach import AskedQuestion, ScamCheck
from bot.store.sql import rowcount

PRUNED = (AskedQuestion, ScamCheck)  # nothing refers to their rows: they go without touching another table


def purge_before(session: Session, before: datetime) -> dict[str, int]:
    """Delete the pruned tables' rows older than `before`; how many went, by table."""
    return {
        model.__tablename__: rowcount(session.execute(delete(model).where(model.at < before))) for model in PRUNED
    }
