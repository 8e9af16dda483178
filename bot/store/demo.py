"""The fictional demo roster, loaded when the console chat starts on an empty embedded database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.store import roster
from bot.store.roster_file import read_roster
from bot.store.roster_sync import import_roster

DEMO_ROSTER = Path(__file__).resolve().with_name("demo_roster.csv")


def load_demo(factory: sessionmaker[Session]) -> bool:
    """Import the demo roster if the database has no village yet; True when it did."""
    with factory.begin() as session:
        if roster.has_villages(session):
            return False
        import_roster(session, read_roster(DEMO_ROSTER))
        return True
