"""A known fortnight on the demo roster, for the report's tests: every figure below is worked out
by hand in test_report.py. Times are UTC; the station is UTC+8 (the report speaks local days)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.store import citizens, duty, requests, roster
from bot.store.models import Assignment, Officer
from bot.store.models_outreach import Alert, AlertDelivery, AskedQuestion, ScamCheck

NOW = datetime(2024, 5, 16, 4, 0, tzinfo=UTC)  # Thursday 16 May, noon in the station
FIRST, LAST = "2024-05-01", "2024-05-15"


def at(day: int, hour: int = 2, minute: int = 0, month: int = 5) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=UTC)


def village_id(session: Session, code: str) -> int:
    village = roster.village_by_code(session, code)
    assert village is not None
    return village.id


def officer_id(session: Session, code: str) -> int:
    officer = roster.village_officer(session, village_id(session, code))
    assert officer is not None
    return officer.id


def request(session: Session, code: str, kind: str, created: datetime, **after: float | None) -> int:
    """A request; `accept`, `done` and `escalate` are minutes after it was created."""
    citizen = citizens.get_or_create(session, 500, 500)
    made = requests.create(
        session,
        citizen_id=citizen.id,
        village_id=village_id(session, code),
        kind=kind,
        details="test",
        accept_within=timedelta(hours=2),
        now=created,
    )
    officer = roster.village_officer(session, made.village_id)
    if after.get("escalate") is not None:
        requests.escalate(session, made.id, now=created + timedelta(minutes=after["escalate"] or 0))
    if after.get("accept") is not None:
        assert officer is not None
        requests.accept(session, made.id, officer.id, now=created + timedelta(minutes=after["accept"] or 0))
    if after.get("done") is not None:
        requests.done(
            session,
            made.id,
            actor_id=officer.id if officer else None,
            now=created + timedelta(minutes=after["done"] or 0),
        )
    return made.id


def seed_requests(session: Session) -> None:
    request(session, "QS001", "service.hukou_newborn", at(2), accept=30, done=5 * 60)
    request(session, "QS001", "service.id_card_lost", at(3), accept=90, done=25 * 60)
    request(session, "BS001", "service.hukou_newborn", at(4), accept=10)
    request(session, "QS003", "fraud.already_scammed", at(5), escalate=120, accept=180)
    request(session, "QS004", "service.id_card_lost", at(14), escalate=125)  # no officer: open, overdue
    request(session, "QS001", "service.id_card_lost", at(20, month=4))  # before the period, still overdue
    request(session, "BS002", "service.hukou_newborn", at(15, 15, 59), accept=60)  # 23:59 local: inside
    request(session, "BS002", "service.hukou_newborn", at(15, 16, 0), accept=5)  # 00:00 on the 16th: outside


def seed_outreach(session: Session) -> None:
    people = [citizens.get_or_create(session, 600 + i, 600 + i) for i in range(5)]
    sent = Alert(scope="QS001", text_zh="当心冒充客服", created_by=9000, status="done", total=5, created_at=at(10))
    draft = Alert(scope="all", text_zh="草稿", created_by=9000, status="draft", created_at=at(11))
    old = Alert(scope="all", text_zh="旧的", created_by=9000, status="done", created_at=at(1, month=4))
    session.add_all([sent, draft, old])
    session.flush()
    for person, status in zip(people, ["sent", "sent", "sent", "failed", "blocked"], strict=True):
        session.add(AlertDelivery(alert_id=sent.id, citizen_id=person.id, chat_id=person.chat_id, status=status))
    session.add(AlertDelivery(alert_id=old.id, citizen_id=people[0].id, chat_id=people[0].chat_id, status="sent"))
    checks = [
        ("scam", "fraud.impersonate_police", at(3)),
        ("scam", "fraud.impersonate_police", at(6)),
        ("suspicious", None, at(7)),
        ("safe", None, at(8)),
        ("scam", "fraud.impersonate_police", at(1, month=4)),
    ]
    for verdict, kind, when in checks:
        session.add(ScamCheck(at=when, text="...", verdict=verdict, risk=0.5, type=kind))
    questions = [
        ("Weather tomorrow?", True, at(3)),
        ("weather   TOMORROW?", True, at(9)),
        ("猪肉多少钱一斤", True, at(4)),
        ("身份证丢了怎么补办", False, at(5)),
        ("明天几点开门", True, at(1, month=4)),
    ]
    for text, fallback, when in questions:
        intent = None if fallback else "service.id_card_lost"
        session.add(AskedQuestion(at=when, text=text, intent=intent, score=0.3, fallback=fallback))


def seed_duty(session: Session) -> None:
    session.execute(update(Assignment).values(start_at=at(1, month=1)))
    late = update(Assignment).where(Assignment.village_id == village_id(session, "BS002"))
    session.execute(late.values(start_at=at(8)))  # held from Wednesday 8 May only
    session.add(Officer(name="孙空闲", phone="13800000009", active=True))
    session.add(Officer(name="周离职", phone="13800000010", active=False))
    wang = officer_id(session, "QS001")
    logs = [
        ("QS001", "contact", at(2)),
        ("QS001", "contact", at(14, 1)),
        ("QS001", "visit", at(8)),
        ("QS002", "deed", at(20, month=4)),
        ("QS002", "contact", at(12, 16, 30)),  # 00:30 on Monday 13 May in the station
    ]
    for code, kind, when in logs:
        duty.add(
            session, officer_id=wang, village_id=village_id(session, code), kind=kind, text=f"{kind} {code}", at=when
        )


def seed(session: Session) -> None:
    seed_requests(session)
    seed_outreach(session)
    seed_duty(session)
    session.flush()
