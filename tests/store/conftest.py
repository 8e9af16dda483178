"""Store fixtures: the demo roster loaded, and a registered villager."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.store import citizens, roster
from bot.store.demo import load_demo


@dataclass(frozen=True)
class Demo:
    """Ids from the demo roster: QS001's officer (1001) and a villager of QS001."""

    factory: sessionmaker[Session]
    village_id: int
    officer_id: int
    other_officer_id: int
    citizen_id: int
    citizen_chat: int


@pytest.fixture
def demo(factory: sessionmaker[Session]) -> Demo:
    assert load_demo(factory)
    with factory.begin() as session:
        village = roster.village_by_code(session, "QS001")
        officer = roster.officer_by_telegram_id(session, 1001)
        other = roster.officer_by_telegram_id(session, 1002)
        assert village and officer and other
        citizen = citizens.get_or_create(session, 5001, 5001, name="村民甲")
        citizens.set_village(session, citizen, village.id)
        return Demo(factory, village.id, officer.id, other.id, citizen.id, citizen.chat_id)
