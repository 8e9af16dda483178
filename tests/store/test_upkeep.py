"""Upkeep on a timer. Retention: the villagers' words (asked questions, scam checks) go after
`retention.questions_days`; requests and their audit trail stay, however old. The outbox's gauges."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import metrics
from bot.core import periodic, upkeep
from bot.core.types import Reply
from bot.settings import RetentionSettings, Settings
from bot.store import outbox, requests, usage
from bot.store.models import Request, RequestEvent
from bot.store.models_outreach import AskedQuestion, ScamCheck
from bot.store.types import utcnow

from .conftest import Demo


def seed(demo: Demo, days_ago: float) -> None:
    """A question, a scam check and a request with its 'created' event, `days_ago` days old."""
    at = utcnow() - timedelta(days=days_ago)
    match = SimpleNamespace(intent=None, score=0.2)
    verdict = SimpleNamespace(verdict="scam", risk=0.9, type="impersonation")
    with demo.factory.begin() as session:
        usage.record_question(session, demo.citizen_id, f"{days_ago} 天前的问题", match)
        usage.record_check(session, demo.citizen_id, f"{days_ago} 天前的短信", verdict)
        for model in (AskedQuestion, ScamCheck):
            session.execute(model.__table__.update().where(model.at > at).values(at=at))
        requests.create(session, citizen_id=demo.citizen_id, village_id=demo.village_id, kind="id_card_lost",
                        details="身份证丢了", accept_within=timedelta(hours=2), now=at)


def texts(session: Session, model: Any) -> list[str]:
    return list(session.scalars(select(model.text).order_by(model.id)))


def test_questions_and_checks_older_than_the_setting_go_and_requests_stay(demo: Demo) -> None:
    seed(demo, 400)
    seed(demo, 181)
    seed(demo, 179)
    seed(demo, 0)
    services: Any = SimpleNamespace(settings=Settings(retention=RetentionSettings(questions_days=180)),
                                    db=demo.factory)
    purged = metrics.value("cunjing_retention_purged_rows_total", table="asked_questions")

    [task] = [t for t in periodic.TASKS if t.name == "retention"]
    assert task.run(services) == 0  # it queues no message

    with demo.factory() as session:
        assert texts(session, AskedQuestion) == ["179 天前的问题", "0 天前的问题"]
        assert texts(session, ScamCheck) == ["179 天前的短信", "0 天前的短信"]
        assert len(session.scalars(select(Request)).all()) == 4
        assert len(session.scalars(select(RequestEvent)).all()) == 4
    assert metrics.value("cunjing_retention_purged_rows_total", table="asked_questions") == purged + 2


def test_zero_days_keeps_everything(demo: Demo) -> None:
    seed(demo, 4000)
    services: Any = SimpleNamespace(settings=Settings(retention=RetentionSettings(questions_days=0)), db=demo.factory)
    upkeep.purge_old(services)
    with demo.factory() as session:
        assert texts(session, AskedQuestion) == ["4000 天前的问题"]


def test_the_outbox_gauges_say_how_many_wait_and_how_late_the_earliest_is(demo: Demo) -> None:
    services: Any = SimpleNamespace(settings=Settings(), db=demo.factory)
    [task] = [t for t in periodic.TASKS if t.name == "outbox-gauges"]
    task.run(services)
    assert metrics.value("cunjing_outbox_pending") == 0
    assert metrics.value("cunjing_outbox_oldest_due_seconds") == 0

    now = utcnow()
    with demo.factory.begin() as session:
        for key, due in (("a", now - timedelta(minutes=10)), ("b", now - timedelta(minutes=1)), ("c", now)):
            outbox.enqueue(session, outbox.Outgoing(key, 5001, outbox.payload(Reply("你好"))), now=due)
        outbox.enqueue(session, outbox.Outgoing("later", 5001, outbox.payload(Reply("你好"))),
                       now=now + timedelta(hours=1))
    task.run(services)
    assert metrics.value("cunjing_outbox_pending") == 4
    assert 600 <= metrics.value("cunjing_outbox_oldest_due_seconds") < 660
