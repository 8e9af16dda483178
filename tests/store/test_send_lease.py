"""The send lease: one holder at a time; another takes it only once it has run out; a flood wait
recorded by one worker is seen by all."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.store import alerts, citizens, send_lease
from bot.store.types import utcnow

from .conftest import Demo

TTL = timedelta(seconds=10)


def test_one_holder_at_a_time_and_the_next_once_it_has_run_out(factory: sessionmaker[Session]) -> None:
    now = utcnow()
    with factory.begin() as session:
        first = send_lease.renew(session, "worker-a", TTL, now=now)
    with factory.begin() as session:
        second = send_lease.renew(session, "worker-b", TTL, now=now + timedelta(seconds=5))
    assert (first.held, first.took_from) == (True, None)
    assert (second.held, second.took_from) == (False, None)

    with factory.begin() as session:  # worker-a renews: b still waits
        assert send_lease.renew(session, "worker-a", TTL, now=now + timedelta(seconds=8)).held
        assert not send_lease.renew(session, "worker-b", TTL, now=now + timedelta(seconds=17)).held
    with factory.begin() as session:  # worker-a was killed: its lease runs out, b takes it
        taken = send_lease.renew(session, "worker-b", TTL, now=now + timedelta(seconds=19))
        assert (taken.held, taken.took_from) == (True, "worker-a")
        assert send_lease.holder(session, now=now + timedelta(seconds=19)) == "worker-b"
        assert not send_lease.renew(session, "worker-a", TTL, now=now + timedelta(seconds=20)).held


def test_a_clean_stop_frees_the_lease_at_once(factory: sessionmaker[Session]) -> None:
    now = utcnow()
    with factory.begin() as session:
        assert send_lease.renew(session, "worker-a", TTL, now=now).held
        assert not send_lease.give_up(session, "worker-b", now=now)
        assert send_lease.give_up(session, "worker-a", now=now)
    with factory.begin() as session:
        taken = send_lease.renew(session, "worker-b", TTL, now=now + timedelta(seconds=1))
    assert (taken.held, taken.took_from) == (True, None)  # given up, not orphaned


def test_a_flood_wait_is_shared_and_the_later_one_wins(factory: sessionmaker[Session]) -> None:
    now = utcnow()
    with factory.begin() as session:
        send_lease.renew(session, "worker-a", TTL, paused_until=now + timedelta(seconds=30), now=now)
    with factory.begin() as session:
        seen = send_lease.renew(session, "worker-b", TTL, paused_until=now + timedelta(seconds=3), now=now)
    assert not seen.held
    assert seen.paused_until == now + timedelta(seconds=30)


def test_the_alert_deliveries_a_dead_sender_claimed_are_due_again_at_once(demo: Demo) -> None:
    """Taking the lease from a dead holder: its claimed rows go out now, not after their two-minute claim;
    the one it was sending is settled by the next claim (at most once: not sent again)."""
    factory = demo.factory
    with factory.begin() as session:
        other = citizens.get_or_create(session, 5002, 5002, name="村民乙")
        citizens.set_village(session, other, demo.village_id)
        made = alerts.create(session, scope="QS001", text_zh="注意诈骗", text_en="", photo=None, created_by=1001,
                              progress_chat_id=None)
        alerts.confirm(session, made.id, [demo.village_id])
        sending, untried = alerts.claim_due(session)  # the dead sender's claim
        alerts.start(session, sending.id)  # ... and its send under way
    with factory.begin() as session:
        assert alerts.claim_due(session) == []  # hidden by the claim
        assert alerts.release_orphans(session) == 2
    with factory.begin() as session:
        assert [d.chat_id for d in alerts.claim_due(session)] == [untried.chat_id]  # the other: settled, not sent
        assert alerts.counts(session, made.id).pending == 1
