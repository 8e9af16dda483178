"""Requests: created atomically with their outbox rows; exactly one of two officers wins; escalations."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.store import outbox, requests
from bot.store.models import Outbox, Request, RequestEvent
from bot.store.outbox import Outgoing
from bot.store.requests import AcceptResult

from .conftest import Demo

T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


def to_officer(chat_id: int = 1001) -> Callable[[Request], list[Outgoing]]:
    def messages(request: Request) -> list[Outgoing]:
        text = f"#{request.id} {request.village.name}: {request.details}"
        return [Outgoing(f"request:{request.id}:officer", chat_id, {"text": text}, requests.ref(request.id))]

    return messages


def new_request(demo: Demo, session: Session, **extra: Any) -> Request:
    values: dict[str, Any] = {
        "citizen_id": demo.citizen_id,
        "village_id": demo.village_id,
        "kind": "service.hukou_newborn",
        "details": "给孩子上户口",
        "accept_within": timedelta(minutes=120),
        "contact_phone": "13811112222",
        "messages": to_officer(),
    }
    return requests.create(session, **(values | extra))


def count(session: Session, model: type[Any]) -> int:
    return session.scalars(select(func.count()).select_from(model)).one()


def test_create_stores_request_event_and_outbox_together(demo: Demo) -> None:
    with demo.factory.begin() as session:
        request = new_request(demo, session, attachments=[{"kind": "photo", "file_id": "F1"}], now=T0)
    with demo.factory() as session:
        stored = requests.get(session, request.id)
        assert stored is not None and stored.status == "open" and stored.attachments[0]["file_id"] == "F1"
        assert stored.accept_deadline == T0 + timedelta(minutes=120)
        assert stored.citizen.name == "村民甲" and stored.village.town.name
        assert [e.action for e in requests.events(session, request.id)] == ["created"]
        (row,) = outbox.by_ref(session, requests.ref(request.id))
        assert row.dedupe_key == f"request:{request.id}:officer" and row.payload["text"].startswith(f"#{request.id} ")


def test_a_failure_while_creating_leaves_nothing(demo: Demo) -> None:
    def broken(request: Request) -> list[Outgoing]:
        raise RuntimeError("rendering failed")

    with pytest.raises(RuntimeError), demo.factory.begin() as session:
        new_request(demo, session, messages=broken)
    with demo.factory() as session:
        assert (count(session, Request), count(session, RequestEvent), count(session, Outbox)) == (0, 0, 0)


def test_outbox_rows_happen_once_per_key(demo: Demo) -> None:
    with demo.factory.begin() as session:
        request = new_request(demo, session, messages=lambda r: to_officer()(r) * 2)
        again = to_officer()(request)[0]
        assert outbox.enqueue(session, again) is False
    with demo.factory() as session:
        assert len(outbox.by_ref(session, requests.ref(request.id))) == 1


def test_accept_outcomes(demo: Demo) -> None:
    with demo.factory.begin() as session:
        number = new_request(demo, session).id
    with demo.factory.begin() as session:
        result, request = requests.accept(session, number, demo.officer_id)
        assert result is AcceptResult.ACCEPTED and request is not None and request.status == "accepted"
        assert requests.accept(session, number, demo.officer_id)[0] is AcceptResult.ALREADY_YOURS
        result, request = requests.accept(session, number, demo.other_officer_id)
        assert result is AcceptResult.TAKEN and request is not None and request.officer_id == demo.officer_id
        assert requests.done(session, number, actor_id=demo.officer_id) is not None
        assert requests.accept(session, number, demo.other_officer_id)[0] is AcceptResult.CLOSED
        assert requests.accept(session, 999_999, demo.officer_id) == (AcceptResult.NOT_FOUND, None)
        assert [e.action for e in requests.events(session, number)] == ["created", "accepted", "done"]


def test_two_officers_accepting_at_once_one_wins(demo: Demo) -> None:
    with demo.factory.begin() as session:
        numbers = [new_request(demo, session).id for _ in range(5)]
    for number in numbers:
        results = race(demo.factory, number, [demo.officer_id, demo.other_officer_id])
        assert sorted(results.values()) == [AcceptResult.ACCEPTED, AcceptResult.TAKEN]
        with demo.factory() as session:
            winner = next(officer for officer, result in results.items() if result is AcceptResult.ACCEPTED)
            request = requests.get(session, number)
            assert request is not None and request.officer_id == winner
            assert [e.action for e in requests.events(session, number)].count("accepted") == 1


def race(factory: sessionmaker[Session], number: int, officers: list[int]) -> dict[int, AcceptResult]:
    """Every officer accepts from their own thread and session, released together."""
    start = threading.Barrier(len(officers))
    results: dict[int, AcceptResult] = {}
    errors: list[BaseException] = []

    def accept(officer_id: int) -> None:
        try:
            with factory.begin() as session:
                start.wait(timeout=10)
                results[officer_id] = requests.accept(session, number, officer_id)[0]
        except BaseException as exc:  # reported to the test below
            errors.append(exc)

    threads = [threading.Thread(target=accept, args=(officer,)) for officer in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def test_second_accept_waits_for_the_first_and_loses(demo: Demo) -> None:
    """Read-then-write would let both win here: B reads 'open' before A commits."""
    with demo.factory.begin() as session:
        number = new_request(demo, session).id
    outcome: list[AcceptResult] = []
    with demo.factory.begin() as first:
        assert requests.accept(first, number, demo.officer_id)[0] is AcceptResult.ACCEPTED

        def second() -> None:
            with demo.factory.begin() as session:
                outcome.append(requests.accept(session, number, demo.other_officer_id)[0])

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)  # the second is now blocked on the first's lock
        assert outcome == []
    thread.join(timeout=10)
    assert outcome == [AcceptResult.TAKEN]


def test_ask_relay_and_close(demo: Demo) -> None:
    with demo.factory.begin() as session:
        number = new_request(demo, session).id
        waiting = requests.ask(session, number, demo.officer_id, "孩子的出生证明有吗？")
        assert waiting is not None and waiting.status == "waiting"
        # nobody accepted yet: the villager's answer puts it back in the queue as open
        assert requests.relay_to_officer(session, number, demo.citizen_id, "有的") is not None
        assert session.get(Request, number, populate_existing=True).status == "open"  # type: ignore[union-attr]
        requests.accept(session, number, demo.officer_id)
        requests.ask(session, number, demo.officer_id, "请带户口本")
        requests.relay_to_officer(session, number, demo.citizen_id, "好")
        assert requests.get(session, number).status == "accepted"  # type: ignore[union-attr]
        assert requests.relay_to_citizen(session, number, "明天来派出所", actor_id=demo.officer_id) is not None
        cancelled = requests.cancel(session, number, actor_id=demo.citizen_id)
        assert cancelled is not None and cancelled.status == "cancelled" and cancelled.closed_at is not None
        assert requests.cancel(session, number, actor_id=demo.citizen_id) is None
        assert requests.done(session, number, actor_id=demo.officer_id) is None
        assert requests.relay_to_officer(session, number, demo.citizen_id, "还在吗") is None
        actions = [e.action for e in requests.events(session, number)]
    assert actions == [
        "created", "asked", "relayed_to_officer", "accepted", "asked", "relayed_to_officer",
        "relayed_to_citizen", "cancelled",
    ]  # fmt: skip


def test_queues_put_urgent_first_then_oldest(demo: Demo) -> None:
    with demo.factory.begin() as session:
        old = new_request(demo, session, now=T0).id
        newer = new_request(demo, session, now=T0 + timedelta(minutes=5)).id
        urgent = new_request(demo, session, now=T0 + timedelta(minutes=9), urgent=True).id
        closed = new_request(demo, session, now=T0 - timedelta(days=1)).id
        requests.done(session, closed, actor_id=demo.officer_id)
    with demo.factory() as session:
        assert [r.id for r in requests.officer_queue(session, demo.officer_id)] == [urgent, old, newer]
        assert requests.officer_queue(session, demo.other_officer_id) == []  # not their village
        town = requests.get(session, old).village.town_id  # type: ignore[union-attr]
        assert [r.id for r in requests.town_queue(session, town)] == [urgent, old, newer]
        mine = requests.citizen_requests(session, demo.citizen_id)
        assert [r.id for r in mine] == [closed, urgent, newer, old]
        assert closed not in [r.id for r in requests.citizen_requests(session, demo.citizen_id, active_only=True)]


def test_due_escalations_and_escalate_once(demo: Demo) -> None:
    with demo.factory.begin() as session:
        late = new_request(demo, session, now=T0, accept_within=timedelta(minutes=1)).id
        later = new_request(demo, session, now=T0, accept_within=timedelta(minutes=30)).id
        taken = new_request(demo, session, now=T0, accept_within=timedelta(minutes=1)).id
        requests.accept(session, taken, demo.officer_id)
    check = T0 + timedelta(minutes=2)
    with demo.factory.begin() as session:
        assert requests.next_deadline(session) == T0 + timedelta(minutes=1)
        due = requests.due_escalations(session, now=check)
        assert [r.id for r in due] == [late]
        desk = lambda r: [Outgoing(f"request:{r.id}:desk", -100, {"text": f"#{r.id}"}, requests.ref(r.id))]  # noqa: E731
        escalated = requests.escalate(session, late, messages=desk, now=check)
        assert escalated is not None and escalated.escalated_at == check
        assert requests.escalate(session, late, messages=desk, now=check) is None
    with demo.factory() as session:
        assert requests.due_escalations(session, now=check) == []
        assert requests.next_deadline(session) == T0 + timedelta(minutes=30)
        assert [r.chat_id for r in outbox.by_ref(session, requests.ref(late))] == [1001, -100]
        assert requests.events(session, late)[-1].action == "escalated"
        assert later not in [r.id for r in requests.due_escalations(session, now=check)]


def test_due_escalations_are_claimed_by_one_worker(demo: Demo) -> None:
    with demo.factory.begin() as session:
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite serialises writers instead")
        late = new_request(demo, session, now=T0, accept_within=timedelta(minutes=1)).id
    with demo.factory.begin() as first, demo.factory.begin() as second:
        assert [r.id for r in requests.due_escalations(first, now=T0 + timedelta(hours=1))] == [late]
        assert requests.due_escalations(second, now=T0 + timedelta(hours=1)) == []


def test_request_refs() -> None:
    assert requests.ref(12) == "request:12"
    assert requests.id_from_ref("request:12") == 12
    assert requests.id_from_ref("alert:3") is None and requests.id_from_ref(None) is None
