"""What a roster says, row by row: the columns, a valid row (`RosterRow`), the whole roster, and
the checks of each row and across rows. Every problem is found before anything is imported, each
with its row number as a spreadsheet counts them (bot/store/roster_file.py reads the file)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.errors import CunjingError
from bot.store.roster import normalise_code

COLUMNS = ("town", "village_code", "village_name", "officer_name", "officer_phone", "officer_telegram_id")
DUTY = "duty_chat_id"
PHOTO = "officer_photo"  # a Telegram file id, a URL or a file path: what /officer shows
SUPERVISOR = "supervisor_telegram_id"  # per town: who receives its complaints (empty: the admins)
DUTY_PHONE = "duty_phone"  # per town: the duty desk's phone, printed on the posters of villages without an officer
OPTIONAL = (DUTY, PHOTO, SUPERVISOR, DUTY_PHONE)
MAX_PHOTO = 255  # the column's size
PHONE = re.compile(r"1[3-9]\d{9}")
DESK_PHONE = re.compile(r"\+?[0-9][0-9 ()-]{3,23}")  # a landline as people write it: 0571-8888 8888, (0571)88888888
# Village codes go into deep links t.me/<bot>?start=CODE, which allow only these characters.
CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
MAX_NAME = 100


class RosterError(CunjingError):
    """The roster file cannot be imported; `problems` lists each bad row with its row number."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class RosterRow:
    """One valid row: a village, its town and its officer (all officer fields None: no officer)."""

    row: int  # as a spreadsheet counts: the header is row 1
    town: str
    village_code: str
    village_name: str
    officer_name: str | None
    officer_phone: str | None
    officer_telegram_id: int | None
    duty_chat_id: int | None
    officer_photo: str | None = None
    supervisor_telegram_id: int | None = None
    duty_phone: str | None = None

    def same_village(self, other: RosterRow) -> bool:
        """Whether two rows say the same thing (a harmless repeated line)."""
        return self.__dict__ | {"row": 0} == other.__dict__ | {"row": 0}


@dataclass(frozen=True)
class Roster:
    rows: tuple[RosterRow, ...]
    has_duty_column: bool  # without the column, the towns' duty chats are left as they are
    has_photo_column: bool = False  # without it, the officers' photos are left as they are
    has_supervisor_column: bool = False  # without it, the towns' supervisors are left as they are
    has_duty_phone_column: bool = False  # without it, the towns' desk phones are left as they are

    def duty_chats(self) -> dict[str, int | None]:
        """Each town's duty chat as the file gives it (None where no row of the town gives one)."""
        chats: dict[str, int | None] = {}
        for row in self.rows:
            if chats.get(row.town) is None:
                chats[row.town] = row.duty_chat_id
        return chats

    def supervisors(self) -> dict[str, int | None]:
        """Each town's supervisor as the file gives it (None where no row of the town gives one)."""
        found: dict[str, int | None] = {}
        for row in self.rows:
            if found.get(row.town) is None:
                found[row.town] = row.supervisor_telegram_id
        return found

    def duty_phones(self) -> dict[str, str | None]:
        """Each town's duty desk phone as the file gives it (None where no row of the town gives one)."""
        found: dict[str, str | None] = {}
        for row in self.rows:
            if found.get(row.town) is None:
                found[row.town] = row.duty_phone
        return found


def parse_table(table: Sequence[Sequence[str]]) -> Roster:
    """Validate the header and every row; all problems at once, or the roster."""
    header, problems = _header(table[0])
    if problems:
        raise RosterError(problems)
    rows: list[RosterRow] = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cells):
            continue  # spreadsheets often end with empty lines
        row = _row(number, header, cells, problems)
        if row is not None:
            rows.append(row)
    rows = _check_across_rows(rows, problems)
    if not rows and not problems:
        problems.append("the file has a header but no villages")
    if problems:
        raise RosterError(sorted(problems, key=_row_number))
    return Roster(tuple(rows), DUTY in header, PHOTO in header, SUPERVISOR in header, DUTY_PHONE in header)


def _header(cells: Sequence[str]) -> tuple[list[str], list[str]]:
    names = [cell.strip().lower().replace(" ", "_").replace("-", "_") for cell in cells]
    while names and not names[-1]:
        names.pop()
    problems = []
    unknown = [name or "(empty)" for name in names if name not in (*COLUMNS, *OPTIONAL)]
    if unknown:
        problems.append(f"row 1: unknown columns: {', '.join(unknown)}")
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        expected = f"{', '.join(COLUMNS)}{''.join(f'[, {name}]' for name in OPTIONAL)}"
        problems.append(f"row 1: missing columns: {', '.join(missing)} (expected {expected})")
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        problems.append(f"row 1: repeated columns: {', '.join(repeated)}")
    return names, problems


def _row(number: int, header: list[str], cells: Sequence[str], problems: list[str]) -> RosterRow | None:
    if any(cells[len(header) :]):
        problems.append(f"row {number}: more cells than columns in the header")
        return None
    value = dict(zip(header, [*cells, *[""] * len(header)], strict=False))
    found: list[str] = []
    value["village_code"] = normalise_code(value["village_code"])
    for name in ("town", "village_code", "village_name"):
        if not value[name]:
            found.append(f"{name} is empty")
    for name in ("town", "village_name", "officer_name"):
        if len(value[name]) > MAX_NAME:
            found.append(f"{name} is longer than {MAX_NAME} characters")
    if value["village_code"] and not CODE.fullmatch(value["village_code"]):
        found.append(f"village_code {value['village_code']!r} may only have letters, digits, '-' and '_' (32 at most)")
    phone = _phone(value["officer_phone"])
    if value["officer_phone"] and phone is None:
        found.append(f"officer_phone {value['officer_phone']!r} is not a mainland mobile number (11 digits, 13x-19x)")
    telegram_id = _integer(value["officer_telegram_id"])
    if value["officer_telegram_id"] and (telegram_id is None or telegram_id <= 0):
        found.append(f"officer_telegram_id {value['officer_telegram_id']!r} is not a Telegram user id (a whole number)")
    duty = _integer(value.get(DUTY, ""))
    if value.get(DUTY) and duty is None:
        found.append(f"{DUTY} {value[DUTY]!r} is not a Telegram chat id (a whole number)")
    supervisor = _integer(value.get(SUPERVISOR, ""))
    if value.get(SUPERVISOR) and (supervisor is None or supervisor <= 0):
        found.append(f"{SUPERVISOR} {value[SUPERVISOR]!r} is not a Telegram user id (a positive whole number)")
    desk_phone = value.get(DUTY_PHONE, "")
    if desk_phone and not DESK_PHONE.fullmatch(desk_phone):
        found.append(f"{DUTY_PHONE} {desk_phone!r} is not a phone number (digits, spaces, '-', '(' and ')')")
    photo = value.get(PHOTO, "")
    if len(photo) > MAX_PHOTO:
        found.append(f"{PHOTO} is longer than {MAX_PHOTO} characters")
    has_officer = any(value[name] for name in ("officer_name", "officer_phone", "officer_telegram_id"))
    if has_officer:
        found.extend(f"{name} is empty" for name in ("officer_name", "officer_phone") if not value[name])
    elif photo:
        found.append(f"{PHOTO} is given but there is no officer")
    if found:
        problems.append(f"row {number}: {'; '.join(found)}")
        return None
    return RosterRow(
        row=number,
        town=value["town"],
        village_code=value["village_code"],
        village_name=value["village_name"],
        officer_name=value["officer_name"] if has_officer else None,
        officer_phone=phone if has_officer else None,
        officer_telegram_id=telegram_id,
        duty_chat_id=duty,
        officer_photo=photo or None,
        supervisor_telegram_id=supervisor,
        duty_phone=desk_phone or None,
    )


def _row_number(problem: str) -> int:
    match = re.match(r"row (\d+):", problem)
    return int(match.group(1)) if match else 0


def _phone(text: str) -> str | None:
    digits = re.sub(r"[\s\-()]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits if PHONE.fullmatch(digits) else None


def _integer(text: str) -> int | None:
    return int(text) if re.fullmatch(r"-?\d{1,19}", text) else None


def _check_across_rows(rows: list[RosterRow], problems: list[str]) -> list[RosterRow]:
    """Drop repeated identical rows; report a village, officer or duty chat described two ways."""
    kept = _distinct_villages(rows, problems)
    _check_town_facts(kept, problems)
    _check_officers(kept, problems)
    return kept


def _distinct_villages(rows: list[RosterRow], problems: list[str]) -> list[RosterRow]:
    first: dict[str, RosterRow] = {}
    for row in rows:
        seen = first.setdefault(row.village_code, row)
        if not seen.same_village(row):
            problems.append(f"row {row.row}: village {row.village_code} is already on row {seen.row} with other data")
    return list(first.values())


# what a town has once, whichever of its rows gives it: the column and the row's field
TOWN_FACTS = ((DUTY, "duty_chat_id"), (SUPERVISOR, "supervisor_telegram_id"), (DUTY_PHONE, "duty_phone"))


def _check_town_facts(rows: list[RosterRow], problems: list[str]) -> None:
    """A town's duty chat, supervisor and desk phone may be on any of its rows, but only one value each."""
    for column, field in TOWN_FACTS:
        first: dict[str, RosterRow] = {}
        for row in rows:
            value = getattr(row, field)
            if value is None:
                continue
            seen = first.setdefault(row.town, row)
            if getattr(seen, field) != value:
                problems.append(
                    f"row {row.row}: {column} {value} of town {row.town} "
                    f"differs from {getattr(seen, field)} on row {seen.row}"
                )


def _check_officers(rows: list[RosterRow], problems: list[str]) -> None:
    """One Telegram account is one person; one person (name and phone) has one Telegram account
    and at most one photo."""
    by_telegram: dict[int, RosterRow] = {}
    by_person: dict[tuple[str | None, str | None], RosterRow] = {}
    with_photo: dict[tuple[str | None, str | None], RosterRow] = {}
    for row in rows:
        if row.officer_name is None:
            continue
        person = (row.officer_name, row.officer_phone)
        if row.officer_telegram_id is not None:
            seen = by_telegram.setdefault(row.officer_telegram_id, row)
            if (seen.officer_name, seen.officer_phone) != person:
                problems.append(
                    f"row {row.row}: officer_telegram_id {row.officer_telegram_id} "
                    f"is {seen.officer_name} ({seen.officer_phone}) on row {seen.row}"
                )
        if row.officer_photo is not None:  # given on one row of the officer's is enough
            seen = with_photo.setdefault(person, row)
            if seen.officer_photo != row.officer_photo:
                problems.append(f"row {row.row}: officer {row.officer_name} has another {PHOTO} on row {seen.row}")
        seen = by_person.setdefault(person, row)
        if seen.officer_telegram_id != row.officer_telegram_id:
            problems.append(
                f"row {row.row}: officer {row.officer_name} has officer_telegram_id "
                f"{_shown(row.officer_telegram_id)} here but {_shown(seen.officer_telegram_id)} on row {seen.row}"
            )


def _shown(value: int | None) -> str:
    return "(empty)" if value is None else str(value)
