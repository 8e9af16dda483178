"""The program's "two 100 %" right now: every village has an active officer, every officer a village."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store import roster
from bot.store.models import Assignment, Officer, Village


@dataclass(frozen=True)
class TownCoverage:
    town: str | None  # None: every town together
    villages: int
    covered: int  # villages whose open primary assignment is an active officer

    @property
    def share(self) -> float | None:
        return self.covered / self.villages if self.villages else None


@dataclass(frozen=True)
class Coverage:
    towns: list[TownCoverage]  # one per town, then every town together
    uncovered: list[Village]
    officers: int  # active officers
    idle: list[Officer]  # active officers without any village now

    @property
    def villages(self) -> TownCoverage:
        return self.towns[-1]

    @property
    def with_village(self) -> int:
        return self.officers - len(self.idle)

    @property
    def officer_share(self) -> float | None:
        return self.with_village / self.officers if self.officers else None


def coverage(session: Session) -> Coverage:
    villages = roster.all_villages(session)
    uncovered = [v for v in villages if roster.village_officer(session, v.id) is None]
    towns = [
        TownCoverage(
            t.name,
            sum(v.town_id == t.id for v in villages),
            sum(v.town_id == t.id for v in villages) - sum(v.town_id == t.id for v in uncovered),
        )
        for t in roster.all_towns(session)
    ]
    active = list(session.scalars(select(Officer).where(Officer.active.is_(True)).order_by(Officer.name)))
    holding = set(session.scalars(select(Assignment.officer_id).where(Assignment.end_at.is_(None))))
    return Coverage(
        towns=[*towns, TownCoverage(None, len(villages), len(villages) - len(uncovered))],
        uncovered=uncovered,
        officers=len(active),
        idle=[o for o in active if o.id not in holding],
    )
