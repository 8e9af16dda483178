"""Upkeep on a timer. Retention: the villagers' words (asked questions, scam checks) go after
`retention.questions_days`, but for the questions an admin labelled; what was sent (outbox rows,
message links) goes after `retention.sent_days`, but for requests still in hand and rows still due;
requests and their audit trail stay, however old. The outbox's gauges."""

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
from bot.store import links, outbox, requests, reviews, usage
from bot.store.models import MessageLink, Outbox, Request, RequestEvent
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


def test_questions_an_admin_labelled_stay_the_record_of_who_labelled_what(demo: Demo) -> None:
    seed(demo, 400)
    seed(demo, 300)
    with demo.factory.begin() as session:
        [labelled] = [q for q in session.scalars(select(AskedQuestion)) if q.text == "300 天前的问题"]
        reviews.mark(session, labelled, "service.id_card_lost", "telegram:9001")
    services: Any = SimpleNamespace(settings=Settings(retention=RetentionSettings(questions_days=180)),
                                    db=demo.factory)
    upkeep.purge_old(services)
    with demo.factory() as session:
        [kept] = session.scalars(select(AskedQuestion)).all()
        assert (kept.text, kept.review, kept.reviewed_by) == ("300 天前的问题", "service.id_card_lost", "telegram:9001")
        assert texts(session, ScamCheck) == []


def sent(demo: Demo, key: str, days_ago: float, ref: str | None = None, status: str = "sent") -> None:
    """An outbox row `days_ago` days old: sent (with its message link when it has a ref), given up
    ("failed"), still due ("pending") or held for a person who blocked the bot ("blocked")."""
    at = utcnow() - timedelta(days=days_ago)
    with demo.factory.begin() as session:
        outbox.enqueue(session, outbox.Outgoing(key, demo.citizen_chat, outbox.payload(Reply(key)), ref), now=at)
        row = outbox.by_key(session, key)
        assert row is not None
        if status == "sent":
            outbox.mark_sent(session, row.id, 100 + row.id, now=at)
            session.execute(MessageLink.__table__.update().where(MessageLink.message_id == 100 + row.id)
                            .values(created_at=at))
        elif status == "failed":
            outbox.reschedule(session, row.id, "bad request", max_attempts=0, now=at)
        elif status == "blocked":
            outbox.mark_blocked(session, row.id)


def request_closed(demo: Demo, days_ago: float | None) -> str:
    """A request made 60 days ago, closed `days_ago` days ago (None: still open); its ref."""
    made = utcnow() - timedelta(days=60)
    with demo.factory.begin() as session:
        request = requests.create(session, citizen_id=demo.citizen_id, village_id=demo.village_id,
                                  kind="id_card_lost", details="身份证丢了", accept_within=timedelta(hours=2), now=made)
        if days_ago is not None:
            requests.done(session, request.id, now=utcnow() - timedelta(days=days_ago))
        return requests.ref(request.id)


def test_what_was_sent_goes_after_sent_days_but_what_a_request_in_hand_needs_stays(demo: Demo) -> None:
    still_open, closed_lately, closed_long_ago = (request_closed(demo, days) for days in (None, 3, 45))
    sent(demo, "notice:old", 40)
    sent(demo, "notice:given-up", 40, status="failed")
    sent(demo, "notice:recent", 10)
    sent(demo, "notice:due", 40, status="pending")  # still to send (a retry far behind)
    sent(demo, "notice:held", 40, status="blocked")  # waits for the person to unblock the bot
    sent(demo, f"{still_open}:card:1001", 50, still_open)  # the officer may still reply to this card
    sent(demo, f"{closed_lately}:card:1001", 50, closed_lately)
    sent(demo, f"{closed_long_ago}:card:1001", 50, closed_long_ago)
    services: Any = SimpleNamespace(settings=Settings(retention=RetentionSettings(sent_days=30)), db=demo.factory)
    purged = metrics.value("cunjing_retention_purged_rows_total", table="message_links")

    upkeep.purge_old(services)

    with demo.factory() as session:
        assert [r.dedupe_key for r in session.scalars(select(Outbox).order_by(Outbox.id))] == [
            "notice:recent", "notice:due", "notice:held", f"{still_open}:card:1001", f"{closed_lately}:card:1001",
        ]
        assert sorted(session.scalars(select(MessageLink.ref))) == sorted([still_open, closed_lately])
        card = outbox.by_key(session, f"{still_open}:card:1001")
        assert card is not None and card.telegram_message_id is not None
        assert links.resolve_link(session, demo.citizen_chat, card.telegram_message_id) == still_open
        assert len(session.scalars(select(Request)).all()) == 3  # the requests themselves stay
    assert metrics.value("cunjing_retention_purged_rows_total", table="message_links") == purged + 1


def test_zero_sent_days_keeps_what_was_sent(demo: Demo) -> None:
    sent(demo, "notice:ancient", 4000)
    services: Any = SimpleNamespace(settings=Settings(retention=RetentionSettings(sent_days=0)), db=demo.factory)
    upkeep.purge_old(services)
    with demo.factory() as session:
        assert [r.dedupe_key for r in session.scalars(select(Outbox))] == ["notice:ancient"]
        assert session.scalars(select(MessageLink)).all() == []  # (a notice has no ref: no link)
