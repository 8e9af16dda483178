"""Retention. The villagers' own words (asked questions, scam checks) are deleted after
`retention.questions_days`, except the questions an admin labelled with /review: they are the
record of who labelled what (and the examples the FAQ learnt from), masked, and few.

What was sent (outbox rows sent or given up, and the message links a reply to it is routed by) is
deleted after `retention.sent_days`, unless it still stands for a request that is open or closed
less than that long ago: an officer may still reply to its card, and accepting a request rewrites
every copy of its card sent (bot/core/cards.py). Rows still due (pending) or held for a person who
blocked the bot are never deleted. Requests, their audit trail and everything else are kept.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, String, cast, delete, func, literal, or_, select
from sqlalchemy.orm import Session

from bot.store.models import MessageLink, Outbox, OutboxStatus, Request
from bot.store.models_outreach import AskedQuestion, ScamCheck
from bot.store.sql import rowcount

DONE_WITH = (OutboxStatus.SENT.value, OutboxStatus.FAILED.value)  # outbox rows nobody will send again


def purge_before(session: Session, before: datetime) -> dict[str, int]:
    """Delete the questions (not reviewed) and the scam checks older than `before`; how many went, by table."""
    kept: dict[type[AskedQuestion] | type[ScamCheck], ColumnElement[bool]] = {
        AskedQuestion: AskedQuestion.review.is_(None),
        ScamCheck: literal(True),
    }
    # nothing refers to their rows: they go without touching another table
    return {
        model.__tablename__: rowcount(session.execute(delete(model).where(model.at < before, keep)))
        for model, keep in kept.items()
    }


def purge_sent_before(session: Session, before: datetime) -> dict[str, int]:
    """Delete the outbox rows done with and the message links older than `before`, but for requests
    still in hand (`needed_refs`); how many went, by table."""
    needed = needed_refs(before)
    last_touched = func.coalesce(Outbox.sent_at, Outbox.next_attempt_at)  # sent, else its last try
    rows = delete(Outbox).where(
        Outbox.status.in_(DONE_WITH), last_touched < before, or_(Outbox.ref.is_(None), Outbox.ref.not_in(needed))
    )
    links = delete(MessageLink).where(MessageLink.created_at < before, MessageLink.ref.not_in(needed))
    return {
        Outbox.__tablename__: rowcount(session.execute(rows.execution_options(synchronize_session=False))),
        MessageLink.__tablename__: rowcount(session.execute(links.execution_options(synchronize_session=False))),
    }


def needed_refs(before: datetime) -> Select[str]:
    """The refs (`request:12`, as bot/store/requests.py writes them) of the requests open, or closed
    since `before`."""
    in_hand = or_(Request.closed_at.is_(None), Request.closed_at >= before)
    return select(literal("request:") + cast(Request.id, String)).where(in_hand)
