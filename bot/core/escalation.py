"""Escalation: a request nobody accepted in time goes to the town's duty desk, and the officer is
reminded. The deadline lives in the request row, so a restart loses no timer."""

from __future__ import annotations

import logging

from bot import metrics
from bot.core import cards
from bot.services import Services
from bot.store import requests, roster
from bot.store.models import Request
from bot.store.outbox import Outgoing

log = logging.getLogger(__name__)


def escalate_due(services: Services) -> int:
    """Escalate every open request past its deadline; returns how many (each happens once)."""
    knowledge = services.knowledge()
    lang = services.settings.app.default_lang
    minutes = services.settings.routing.accept_within_minutes
    done = 0
    with services.db.begin() as session:
        for due in requests.due_escalations(session):

            def messages(request: Request) -> list[Outgoing]:
                rows: list[Outgoing] = []
                key = requests.ref(request.id)
                desk = roster.duty_chat(session, request.village_id)
                if desk is not None:
                    text = knowledge.faq.message("escalation.desk", lang, number=request.id, minutes=f"{minutes:g}")
                    rows.append(cards.note(f"{key}:escalated:{desk}", desk, text, request.id, at_least_once=True))
                    rows += cards.to_staff(knowledge, request, desk, lang, tag="desk")
                officer = roster.village_officer(session, request.village_id)
                if officer is not None and officer.telegram_id is not None:
                    text = knowledge.faq.message("escalation.reminder", lang, number=request.id)
                    rows.append(cards.note(f"{key}:reminder", officer.telegram_id, text, request.id))
                if desk is None:
                    log.warning("request #%d: no duty desk to escalate to", request.id)
                return rows

            if requests.escalate(session, due.id, messages=messages) is not None:
                done += 1
                metrics.note("escalations")
                log.info("request #%d escalated", due.id, extra={"request_id": due.id})
    return done


def seconds_to_next(services: Services) -> float | None:
    """Seconds until the next deadline (0 when one is already due), None when none is pending."""
    from bot.store.types import utcnow

    with services.db.begin() as session:
        deadline = requests.next_deadline(session)
    return None if deadline is None else max(0.0, (deadline - utcnow()).total_seconds())
