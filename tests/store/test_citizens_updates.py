"""Citizens, seen update ids and message links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.store import citizens, links, updates


def test_get_or_create_is_idempotent_and_follows_the_chat(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        first = citizens.get_or_create(session, 7, 70, lang="en", name="Li")
    with factory.begin() as session:
        again = citizens.get_or_create(session, 7, 71, lang="zh")
        assert (again.id, again.chat_id, again.lang, again.name) == (first.id, 71, "en", "Li")
        assert citizens.by_user_id(session, 7) is again
        assert citizens.by_user_id(session, 8) is None
        assert again.alerts_opt_in and not again.blocked


def test_language_state_and_blocking(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        citizen = citizens.get_or_create(session, 7, 70)
        citizens.set_lang(session, citizen, "en")
        with pytest.raises(ValueError):
            citizens.set_lang(session, citizen, "fr")
        citizens.set_state(session, citizen, "request.details", {"kind": "service.hukou_newborn", "说明": "上户口"})
        citizens.set_alerts(session, citizen, False)
    with factory.begin() as session:
        stored = citizens.get(session, citizen.id)
        assert stored is not None and (stored.lang, stored.alerts_opt_in) == ("en", False)
        assert (stored.state, stored.state_data) == (
            "request.details",
            {"kind": "service.hukou_newborn", "说明": "上户口"},
        )
        citizens.set_state(session, stored, None, {"ignored": True})
        assert citizens.mark_blocked(session, 70) == 1
        assert citizens.mark_blocked(session, 70) == 0
    with factory() as session:
        stored = citizens.get(session, citizen.id)
        assert stored is not None and (stored.state, stored.state_data, stored.blocked) == (None, None, True)


def test_an_update_is_seen_once(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        assert updates.first_time(session, 999)
        assert not updates.first_time(session, 999)
        session.add(citizens.get_or_create(session, 1, 1))  # the transaction is still usable afterwards
    with factory.begin() as session:
        assert not updates.first_time(session, 999)
        assert updates.first_time(session, 2**40)  # update ids are big
    with pytest.raises(RuntimeError), factory.begin() as session:
        assert updates.first_time(session, 1000)
        raise RuntimeError("the handler failed: the update must be handled again when redelivered")
    with factory.begin() as session:
        assert updates.first_time(session, 1000)


def test_old_update_ids_are_forgotten(factory: sessionmaker[Session]) -> None:
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    with factory.begin() as session:
        updates.first_time(session, 1, now=t0)
        updates.first_time(session, 2, now=t0 + timedelta(days=2))
        assert updates.forget_before(session, t0 + timedelta(days=1)) == 1
        assert updates.first_time(session, 1) and not updates.first_time(session, 2)


def test_message_links(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        assert links.link_message(session, -100, 5, "request:3")
        assert not links.link_message(session, -100, 5, "request:4")
        assert links.link_message(session, -101, 5, "request:4")
    with factory() as session:
        assert links.resolve_link(session, -100, 5) == "request:3"
        assert links.resolve_link(session, -101, 5) == "request:4"
