"""Apply a validated roster to the database in place, keeping assignment history; read it back out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Assignment, Officer, Town, Village
from bot.store.roster import all_villages
from bot.store.roster_file import Roster, RosterRow
from bot.store.types import utcnow


@dataclass
class ImportReport:
    towns_created: int = 0
    villages_created: int = 0
    villages_updated: int = 0
    officers_created: int = 0
    officers_updated: int = 0
    officers_deactivated: int = 0
    assignments_started: int = 0
    assignments_ended: int = 0

    def summary(self) -> str:
        """One line: every count that is not zero."""
        parts = [f"{f.name.replace('_', ' ')}: {getattr(self, f.name)}" for f in fields(self) if getattr(self, f.name)]
        return ", ".join(parts) or "no changes"


def import_roster(session: Session, roster: Roster, *, now: datetime | None = None) -> ImportReport:
    """Make the database say what the roster says (in the caller's transaction).

    Villages match by code, officers by Telegram id or else by name and phone. A changed officer
    ends the old assignment and starts a new one; officers missing from the file are deactivated
    and their assignments end; villages missing from the file keep their requests, lose their officer.
    """
    now = now or utcnow()
    report = ImportReport()
    towns = _sync_towns(session, roster, report)
    officers = _sync_officers(session, roster, report, now)
    villages = _sync_villages(session, roster.rows, towns, report)
    _sync_assignments(session, roster.rows, villages, officers, report, now)
    return report


def export_rows(session: Session) -> Iterator[tuple[Any, ...]]:
    """Every village as a roster row, with its current primary officer, its town's duty chat, the
    officer's photo, the town's supervisor and its duty desk's phone."""
    current = {
        a.village_id: a.officer
        for a in session.scalars(select(Assignment).where(Assignment.primary.is_(True), Assignment.end_at.is_(None)))
    }
    for village in all_villages(session):
        officer = current.get(village.id)
        yield (
            village.town.name,
            village.code,
            village.name,
            officer.name if officer else None,
            officer.phone if officer else None,
            officer.telegram_id if officer else None,
            village.town.duty_chat_id,
            officer.photo if officer else None,
            village.town.supervisor_telegram_id,
            village.town.duty_phone,
        )


def _sync_towns(session: Session, roster: Roster, report: ImportReport) -> dict[str, Town]:
    towns = {t.name: t for t in session.scalars(select(Town))}
    for name, chat in roster.duty_chats().items():
        if name not in towns:
            towns[name] = Town(name=name)
            session.add(towns[name])
            report.towns_created += 1
        if roster.has_duty_column:
            towns[name].duty_chat_id = chat
    if roster.has_supervisor_column:
        for name, supervisor in roster.supervisors().items():
            towns[name].supervisor_telegram_id = supervisor
    if roster.has_duty_phone_column:
        for name, phone in roster.duty_phones().items():
            towns[name].duty_phone = phone
    session.flush()
    return towns


def _officer_key(row: RosterRow) -> tuple[Any, ...]:
    return ("tg", row.officer_telegram_id) if row.officer_telegram_id else ("np", row.officer_name, row.officer_phone)


def _sync_officers(
    session: Session, roster: Roster, report: ImportReport, now: datetime
) -> dict[tuple[Any, ...], Officer]:
    """Match or create each officer of the file; deactivate the others. Keyed by _officer_key."""
    existing = list(session.scalars(select(Officer).order_by(Officer.id)))
    by_telegram = {o.telegram_id: o for o in existing if o.telegram_id is not None}
    file_telegram_ids = {r.officer_telegram_id for r in roster.rows if r.officer_telegram_id}
    claimed: dict[tuple[Any, ...], Officer] = {}
    photos = {_officer_key(r): r.officer_photo for r in roster.rows if r.officer_photo}  # one a person (checked)
    for row in roster.rows:
        key = _officer_key(row)
        if row.officer_name is None or row.officer_phone is None or key in claimed:
            continue
        officer = by_telegram.get(row.officer_telegram_id) if row.officer_telegram_id else None
        if officer is None:
            # same person by name and phone, unless that record's Telegram account is someone else's in the file
            taken = {id(o) for o in claimed.values()}
            officer = next(
                (
                    o
                    for o in existing
                    if id(o) not in taken
                    and (o.name, o.phone) == (row.officer_name, row.officer_phone)
                    and o.telegram_id not in file_telegram_ids
                ),
                None,
            )
        photo = photos.get(key) if roster.has_photo_column or officer is None else officer.photo  # no column: kept
        if officer is None:
            officer = Officer(name=row.officer_name, phone=row.officer_phone, active=True)
            session.add(officer)
            report.officers_created += 1
        elif (officer.name, officer.phone, officer.telegram_id, officer.active, officer.photo) != (
            row.officer_name,
            row.officer_phone,
            row.officer_telegram_id,
            True,
            photo,
        ):
            report.officers_updated += 1
        officer.name, officer.phone, officer.active = row.officer_name, row.officer_phone, True
        officer.telegram_id, officer.photo = row.officer_telegram_id, photo
        claimed[key] = officer
    session.flush()
    _deactivate(session, [o for o in existing if o not in claimed.values()], report, now)
    return claimed


def _deactivate(session: Session, officers: list[Officer], report: ImportReport, now: datetime) -> None:
    for officer in officers:
        if officer.active:
            officer.active = False
            report.officers_deactivated += 1
        open_ = select(Assignment).where(Assignment.officer_id == officer.id, Assignment.end_at.is_(None))
        for assignment in session.scalars(open_):
            assignment.end_at = now
            report.assignments_ended += 1
    session.flush()


def _sync_villages(
    session: Session, rows: tuple[RosterRow, ...], towns: dict[str, Town], report: ImportReport
) -> dict[str, Village]:
    villages = {v.code: v for v in session.scalars(select(Village))}
    for row in rows:
        village = villages.get(row.village_code)
        town = towns[row.town]
        if village is None:
            villages[row.village_code] = Village(code=row.village_code, name=row.village_name, town=town)
            session.add(villages[row.village_code])
            report.villages_created += 1
        elif (village.name, village.town_id) != (row.village_name, town.id):
            village.name, village.town = row.village_name, town
            report.villages_updated += 1
    session.flush()
    return villages


def _sync_assignments(
    session: Session,
    rows: tuple[RosterRow, ...],
    villages: dict[str, Village],
    officers: dict[tuple[Any, ...], Officer],
    report: ImportReport,
    now: datetime,
) -> None:
    wanted = {villages[r.village_code].id: (officers[_officer_key(r)] if r.officer_name else None) for r in rows}
    open_primary = select(Assignment).where(Assignment.primary.is_(True), Assignment.end_at.is_(None))
    current = {a.village_id: a for a in session.scalars(open_primary)}
    for village_id, assignment in current.items():
        officer = wanted.get(village_id)
        if officer is None or officer.id != assignment.officer_id:
            assignment.end_at = now
            report.assignments_ended += 1
    session.flush()  # the ended ones first: one open primary assignment per village at a time
    for village_id, officer in wanted.items():
        kept = current.get(village_id)
        if officer is not None and (kept is None or kept.end_at is not None):
            session.add(Assignment(officer_id=officer.id, village_id=village_id, primary=True, start_at=now))
            report.assignments_started += 1
    session.flush()
