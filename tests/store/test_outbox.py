"""The outbox: claimed once, marked sent (and linked), retried with backoff or retry_after, blocked chats stop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.core.types import Button, Reply
from bot.store import citizens, links, outbox
from bot.store.outbox import Outgoing

T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


def put(session: Session, key: str, chat_id: int = 42, ref: str | None = None, at: datetime = T0) -> None:
    assert outbox.enqueue(session, Outgoing(key, chat_id, {"text": key}, ref), now=at)


def test_claim_takes_due_rows_once_until_the_lease_ends(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        put(session, "a")
        put(session, "b", at=T0 + timedelta(seconds=1))
        put(session, "later", at=T0 + timedelta(hours=1))
        assert not outbox.enqueue(session, Outgoing("a", 42, {"text": "again"}), now=T0)
    with factory.begin() as session:
        claimed = outbox.claim_due(session, now=T0 + timedelta(seconds=2), lease=timedelta(seconds=30))
        assert [(r.dedupe_key, r.attempts) for r in claimed] == [("a", 1), ("b", 1)]
    with factory.begin() as session:
        assert outbox.claim_due(session, now=T0 + timedelta(seconds=10)) == []
        assert outbox.pending_count(session) == 3
        assert outbox.next_due(session) == T0 + timedelta(seconds=32)
    with factory.begin() as session:  # the sender died: after the lease the rows come back
        again = outbox.claim_due(session, now=T0 + timedelta(seconds=40), limit=1)
        assert [(r.dedupe_key, r.attempts) for r in again] == [("a", 2)]


def test_mark_sent_links_the_message_to_its_ref(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        put(session, "request:12:officer:5", chat_id=1001, ref="request:12")
    with factory.begin() as session:
        (row,) = outbox.claim_due(session, now=T0)
    with factory.begin() as session:
        outbox.mark_sent(session, row.id, 777, now=T0)
    with factory() as session:
        sent = outbox.get(session, row.id)
        assert sent is not None and (sent.status, sent.telegram_message_id, sent.sent_at) == ("sent", 777, T0)
        assert links.resolve_link(session, 1001, 777) == "request:12"
        assert links.resolve_link(session, 1001, 778) is None
        assert outbox.claim_due(session, now=T0 + timedelta(days=1)) == []


def test_reschedule_with_retry_after_backoff_and_giving_up(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        put(session, "x")
    now = T0
    with factory.begin() as session:
        (row,) = outbox.claim_due(session, now=now)
        assert outbox.reschedule(session, row.id, "429 Too Many Requests", retry_after=7, now=now) == "pending"
        assert outbox.get(session, row.id).next_attempt_at == now + timedelta(seconds=7)  # type: ignore[union-attr]
    delays = []
    for _ in range(3):
        with factory.begin() as session:
            now += timedelta(hours=1)
            (row,) = outbox.claim_due(session, now=now)
            assert outbox.reschedule(session, row.id, "502 Bad Gateway", max_attempts=5, now=now) == "pending"
            delays.append(outbox.get(session, row.id).next_attempt_at - now)  # type: ignore[union-attr]
    assert delays[1] == 2 * delays[0] and delays[2] == 2 * delays[1]
    with factory.begin() as session:
        (row,) = outbox.claim_due(session, now=now + timedelta(hours=1))
        assert row.attempts == 5
        assert outbox.reschedule(session, row.id, "502 Bad Gateway", max_attempts=5) == "failed"
    with factory() as session:
        failed = outbox.get(session, row.id)
        assert failed is not None and failed.last_error == "502 Bad Gateway"
        assert outbox.claim_due(session, now=now + timedelta(days=9)) == []


def test_a_blocked_chat_stops_its_rows_and_flags_the_citizen(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        citizen = citizens.get_or_create(session, 42, 42)
        put(session, "one")
        put(session, "two")
        put(session, "other chat", chat_id=43)
    with factory.begin() as session:
        first = outbox.claim_due(session, now=T0, limit=1)[0]
        assert outbox.mark_blocked(session, first.id, "403 Forbidden: bot was blocked by the user") == 2
    with factory() as session:
        assert citizens.get(session, citizen.id).blocked  # type: ignore[union-attr]
        assert [r.dedupe_key for r in outbox.claim_due(session, now=T0 + timedelta(days=1))] == ["other chat"]
    with factory.begin() as session:  # writing to the bot again unblocks
        assert not citizens.get_or_create(session, 42, 42).blocked


def test_payload_round_trip() -> None:
    reply = Reply(
        "#12 青山村", ((Button("接受 Accept", "acc:12"), Button("完成", "done:12")),), photo="P", ref="request:12"
    )
    data = outbox.payload(reply)
    assert data["buttons"] == [[{"label": "接受 Accept", "data": "acc:12"}, {"label": "完成", "data": "done:12"}]]
    assert outbox.reply(data) == reply
    workbook = Reply("📎 完整报告", document="/var/reports/report-2024-05-01-2024-05-15.xlsx")
    assert outbox.reply(outbox.payload(workbook)) == workbook  # held back, it is still sent as the file


def test_concurrent_workers_claim_different_rows(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite serialises writers instead")
        for key in "abcd":
            put(session, key)
    with factory.begin() as first, factory.begin() as second:
        mine = {r.dedupe_key for r in outbox.claim_due(first, limit=2, now=T0)}
        theirs = {r.dedupe_key for r in outbox.claim_due(second, limit=10, now=T0)}
    assert mine == {"a", "b"} and theirs == {"c", "d"}


def test_a_claim_for_some_chats_leaves_every_other_row_as_it_was(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        put(session, "card", chat_id=1001)
        put(session, "notice", chat_id=1)
        put(session, "other card", chat_id=1002)
    with factory.begin() as session:
        claimed = outbox.claim_due(session, now=T0, chat_ids={1001})
        assert [r.dedupe_key for r in claimed] == ["card"]
    with factory() as session:
        for key in ("notice", "other card"):
            row = outbox.by_key(session, key)
            assert row is not None and (row.status, row.attempts, row.next_attempt_at) == ("pending", 0, T0)
        assert outbox.claim_due(session, now=T0, chat_ids=()) == []
        assert [r.dedupe_key for r in outbox.pending_after(session, 0, not_chats={1})] == ["card", "other card"]
        assert outbox.last_id(session) == max(r.id for r in outbox.pending_after(session, 0))
