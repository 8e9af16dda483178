"""Reminds each officer the day before a village duty falls due (or on the day, after downtime).

One message per officer and due date: the outbox key `duty:<officer>:<due date>` makes it go
out once however often the task runs, even across restarts and several workers."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import localtime
from bot.core.duty_rules import KINDS, status
from bot.core.types import Reply
from bot.services import Services
from bot.store import duty, outbox
from bot.store.models import Assignment, Officer, Village
from bot.store.outbox import Outgoing
from bot.store.types import utcnow

log = logging.getLogger(__name__)


def officers_on_duty(session: Session) -> dict[Officer, list[Village]]:
    """Active officers who can be messaged, with the villages they hold now."""
    statement = (
        select(Assignment)
        .join(Assignment.officer)
        .join(Assignment.village)
        .where(Assignment.end_at.is_(None), Officer.active.is_(True), Officer.telegram_id.is_not(None))
        .order_by(Officer.id, Village.code)
    )
    held: dict[Officer, list[Village]] = defaultdict(list)
    for assignment in session.scalars(statement):
        if assignment.village not in held[assignment.officer]:
            held[assignment.officer].append(assignment.village)
    return held


Due = dict[date, list[tuple[Village, str]]]


def pending(session: Session, services: Services, officer: Officer, villages: list[Village], day: date) -> Due:
    """{due date: [(village, kind)]} for duties not done yet that fall due today or tomorrow."""
    last = duty.last_done(session, officer.id)
    due: Due = defaultdict(list)
    for village in villages:
        for kind in KINDS:
            done_at = last.get((village.id, kind))
            item = status(kind, localtime.local_date(done_at, services.settings) if done_at else None, day)
            if not item.done and item.due - day <= timedelta(days=1):
                due[item.due].append((village, kind))
    return due


def message(services: Services, officer: Officer, due: date, items: list[tuple[Village, str]], day: date) -> Outgoing:
    faq = services.knowledge().faq
    lang = services.settings.app.default_lang
    when = faq.message("duty.due_today" if due <= day else "duty.due_tomorrow", lang)
    lines = [
        faq.message("duty.remind_line", lang, village=v.name, code=v.code, kind=faq.message(f"duty.kind.{k}", lang))
        for v, k in items
    ]
    text = faq.message("duty.remind", lang, when=when, items="\n".join(lines))
    assert officer.telegram_id is not None
    return Outgoing(f"duty:{officer.id}:{due.isoformat()}", officer.telegram_id, outbox.payload(Reply(text)))


def remind_due(services: Services, now: datetime | None = None) -> int:
    """Queue the reminders due now; returns how many are new (0 before the local reminder hour)."""
    moment = localtime.local(now or utcnow(), services.settings)
    if moment.hour < services.settings.duty.remind_hour:
        return 0  # nobody wants a reminder at night; the due day's run catches up
    day = moment.date()
    queued = 0
    with services.db.begin() as session:
        for officer, villages in officers_on_duty(session).items():
            for due, items in sorted(pending(session, services, officer, villages, day).items()):
                if outbox.enqueue(session, message(services, officer, due, items, day), now=now):
                    queued += 1
                    log.info("duty reminder for officer %s, due %s", officer.id, due)
    return queued
