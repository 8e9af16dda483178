"""Roster import and export: validation with row numbers, all or nothing, history kept, CSV and XLSX."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.store import roster
from bot.store.demo import DEMO_ROSTER, load_demo
from bot.store.models import Assignment, Officer, Town, Village
from bot.store.roster_file import RosterError, read_roster, write_csv, write_xlsx
from bot.store.roster_sync import export_rows, import_roster

HEADER = "town,village_code,village_name,officer_name,officer_phone,officer_telegram_id,duty_chat_id\n"
ROWS = (
    "青山镇,QS001,青山村,王示例,13800000001,1001,-100001\n"
    "青山镇,QS002,石桥村,王示例,13800000001,1001,\n"
    "白水镇,BS001,白水村,赵测试,13800000003,1003,-100002\n"
    "白水镇,BS002,桃花村,,,,\n"
)


def write(tmp_path: Path, text: str, name: str = "roster.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def load(factory: sessionmaker[Session], path: Path) -> None:
    with factory.begin() as session:
        import_roster(session, read_roster(path))


def problems(path: Path) -> list[str]:
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    return caught.value.problems


def officer_of(session: Session, code: str) -> str | None:
    village = roster.village_by_code(session, code)
    assert village is not None
    officer = roster.village_officer(session, village.id)
    return officer.name if officer else None


def test_import_creates_towns_villages_officers_and_assignments(factory: sessionmaker[Session], tmp_path: Path) -> None:
    load(factory, write(tmp_path, HEADER + ROWS))
    with factory() as session:
        assert sorted(v.code for v in roster.all_villages(session)) == ["BS001", "BS002", "QS001", "QS002"]
        assert officer_of(session, "qs001") == "王示例"  # codes match in any case
        assert officer_of(session, "BS002") is None
        wang = roster.officer_by_telegram_id(session, 1001)
        assert wang is not None and wang.phone == "13800000001"
        assert [v.code for v in roster.officer_villages(session, wang.id)] == ["QS001", "QS002"]
        bs002 = roster.village_by_code(session, "BS002")
        assert bs002 is not None and roster.duty_chat(session, bs002.id) == -100002
        assert roster.town_by_duty_chat(session, -100001) is not None


def test_reimport_updates_in_place_and_keeps_history(factory: sessionmaker[Session], tmp_path: Path) -> None:
    load(factory, write(tmp_path, HEADER + ROWS))
    changed = (
        "青山镇,QS001,青山新村,李演示,13800000002,1002,-100001\n"  # new officer and name for QS001
        "青山镇,QS002,石桥村,王示例,13900000001,1001,\n"  # Wang's phone changed; same Telegram account
        "白水镇,BS002,桃花村,赵测试,13800000003,1003,-100002\n"  # BS001 left the file; BS002 gets Zhao
    )
    load(factory, write(tmp_path, HEADER + changed, "second.csv"))
    with factory() as session:
        assert session.scalars(select(func.count()).select_from(Village)).one() == 4  # BS001 is kept
        qs001 = roster.village_by_code(session, "QS001")
        assert qs001 is not None and qs001.name == "青山新村"
        history = roster.assignment_history(session, qs001.id)
        assert [(a.officer.name, a.end_at is None) for a in history] == [("王示例", False), ("李演示", True)]
        wang = roster.officer_by_telegram_id(session, 1001)
        assert wang is not None and wang.phone == "13900000001"
        assert session.scalars(select(func.count()).select_from(Officer)).one() == 3
        assert officer_of(session, "BS001") is None
        assert officer_of(session, "BS002") == "赵测试"
    # Zhao leaves entirely: deactivated, history kept, assignments ended
    load(factory, write(tmp_path, HEADER + changed.rsplit("\n", 2)[0] + "\n白水镇,BS002,桃花村,,,,\n", "third.csv"))
    with factory() as session:
        assert roster.officer_by_telegram_id(session, 1003) is None
        zhao = roster.officer_by_telegram_id(session, 1003, active_only=False)
        assert zhao is not None and not zhao.active
        ended = session.scalars(select(Assignment).where(Assignment.officer_id == zhao.id)).all()
        assert len(ended) == 2 and all(a.end_at is not None for a in ended)


def test_officer_without_telegram_id_is_matched_by_name_and_phone(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    load(factory, write(tmp_path, HEADER + "镇,V1,村,孙某,13700000000,,\n"))
    load(factory, write(tmp_path, HEADER + "镇,V1,村,孙某,13700000000,4242,\n", "again.csv"))
    with factory() as session:
        officers = session.scalars(select(Officer)).all()
        assert [(o.name, o.telegram_id) for o in officers] == [("孙某", 4242)]
        (village,) = roster.all_villages(session)
        assert len(roster.assignment_history(session, village.id)) == 1


def test_a_bad_row_imports_nothing_and_names_its_row(factory: sessionmaker[Session], tmp_path: Path) -> None:
    bad = (
        HEADER
        + ROWS
        + "白水镇,BS003,杏林村,钱样例,12345,1004,\n"  # row 6: bad phone
        + "白水镇,BS004,,钱样例,13800000004,abc,\n"  # row 7: empty village name, bad Telegram id
        + "白水镇,BS001,别的村,赵测试,13800000003,1003,\n"  # row 8: BS001 again, other data
        + "白水镇,BS005,村,钱某,13800000005,,-999\n"  # row 9: another duty chat for the town
        + "白水镇,BS006,村,,13800000006,,\n"  # row 10: officer phone without name
    )
    found = problems(write(tmp_path, bad))
    assert [p.split(":")[0] for p in found] == ["row 6", "row 7", "row 8", "row 9", "row 10"]
    assert "officer_phone '12345'" in found[0]
    assert "village_name is empty" in found[1] and "officer_telegram_id 'abc'" in found[1]
    assert "already on row 4" in found[2]
    assert "-999" in found[3] and "-100002 on row 4" in found[3]
    assert "officer_name is empty" in found[4]
    with factory() as session:
        assert session.scalars(select(func.count()).select_from(Town)).one() == 0


def test_import_is_one_transaction(factory: sessionmaker[Session], tmp_path: Path) -> None:
    load(factory, write(tmp_path, HEADER + ROWS))
    roster_file = read_roster(write(tmp_path, HEADER + "新镇,NEW1,新村,新人,13600000000,9999,\n", "new.csv"))
    with pytest.raises(RuntimeError), factory.begin() as session:
        import_roster(session, roster_file)
        raise RuntimeError("crash half-way")
    with factory() as session:
        assert roster.village_by_code(session, "NEW1") is None
        assert officer_of(session, "QS001") == "王示例"


def test_header_problems(tmp_path: Path) -> None:
    assert problems(write(tmp_path, "town,village_code,village_name,officer,colour\nx,y,z,a,b\n")) == [
        "row 1: unknown columns: officer, colour",
        "row 1: missing columns: officer_name, officer_phone, officer_telegram_id "
        "(expected town, village_code, village_name, officer_name, officer_phone, officer_telegram_id"
        "[, duty_chat_id][, officer_photo][, supervisor_telegram_id][, duty_phone])",
    ]
    assert problems(write(tmp_path, HEADER)) == ["the file has a header but no villages"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\x00\x01\x02binary\xff\xfe junk" * 20, "binary data"),
        (HEADER.encode() + "青山镇,QS001,青山村,,,,\n".encode("gbk"), "not UTF-8"),
        (b"PK\x03\x04 zipped", "Excel workbook"),
        (HEADER.encode() + b'x,"unterminated\n', None),
    ],
)
def test_broken_csv_gets_a_clear_message(tmp_path: Path, content: bytes, message: str | None) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    found = problems(path)
    assert found and (message is None or message in found[0])


def test_broken_xlsx_gets_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip at all")
    assert "not a readable XLSX workbook" in problems(path)[0]
    assert "no such file" in problems(tmp_path / "missing.xlsx")[0]


def test_csv_with_bom_and_excel_numbers(tmp_path: Path) -> None:
    parsed = read_roster(write(tmp_path, HEADER + "镇,v1,村,某,+86 138-0000-0001,1001,\n", encoding="utf-8-sig"))
    (row,) = parsed.rows
    assert (row.village_code, row.officer_phone, row.officer_telegram_id) == ("V1", "13800000001", 1001)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.strip().split(","))
    sheet.append(["镇", "V1", "村", "某", 13800000001, 1001.0, -100123.0])
    sheet.append([None] * 7)  # trailing empty rows are common
    book.save(tmp_path / "numbers.xlsx")
    (row,) = read_roster(tmp_path / "numbers.xlsx").rows
    assert (row.officer_phone, row.officer_telegram_id, row.duty_chat_id) == ("13800000001", 1001, -100123)


def test_export_then_xlsx_round_trip(factory: sessionmaker[Session], tmp_path: Path) -> None:
    load(factory, write(tmp_path, HEADER + ROWS))
    with factory() as session:
        rows = list(export_rows(session))
    assert ("青山镇", "QS002", "石桥村", "王示例", "13800000001", 1001, -100001, None, None, None) in rows
    assert ("白水镇", "BS002", "桃花村", None, None, None, -100002, None, None, None) in rows
    write_xlsx(rows, tmp_path / "out.xlsx")
    with (tmp_path / "out.csv").open("w", encoding="utf-8", newline="") as stream:
        write_csv(rows, stream)
    assert read_roster(tmp_path / "out.xlsx") == read_roster(tmp_path / "out.csv")
    with factory.begin() as session:
        report = import_roster(session, read_roster(tmp_path / "out.xlsx"))
    assert report.summary() == "no changes"


def test_officer_photos_go_in_with_the_roster_and_come_back_out(factory: sessionmaker[Session], tmp_path: Path) -> None:
    header = HEADER.strip() + ",officer_photo\n"
    rows = (
        "青山镇,QS001,青山村,王示例,13800000001,1001,-100001,AgACAgUAAxkBAAIBPhoto\n"
        "青山镇,QS002,石桥村,王示例,13800000001,1001,,\n"  # given on one of the officer's rows is enough
        "白水镇,BS001,白水村,赵测试,13800000003,1003,-100002,photos/zhao.jpg\n"
        "白水镇,BS002,桃花村,,,,,\n"
    )
    load(factory, write(tmp_path, header + rows))
    with factory() as session:
        photos = {o.name: o.photo for o in session.scalars(select(Officer))}
        exported = list(export_rows(session))
    assert photos == {"王示例": "AgACAgUAAxkBAAIBPhoto", "赵测试": "photos/zhao.jpg"}
    assert {row[1]: row[7] for row in exported} == {
        "QS001": "AgACAgUAAxkBAAIBPhoto",
        "QS002": "AgACAgUAAxkBAAIBPhoto",
        "BS001": "photos/zhao.jpg",
        "BS002": None,
    }
    with (tmp_path / "out.csv").open("w", encoding="utf-8", newline="") as stream:
        write_csv(exported, stream)
    header_out = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header_out.endswith(",duty_chat_id,officer_photo,supervisor_telegram_id,duty_phone")
    with factory.begin() as session:
        assert import_roster(session, read_roster(tmp_path / "out.csv")).summary() == "no changes"
    # a roster without the column leaves the photos as they are (one an officer set with /photo)
    load(factory, write(tmp_path, HEADER + ROWS, "old.csv"))
    with factory() as session:
        assert {o.name: o.photo for o in session.scalars(select(Officer))}["王示例"] == "AgACAgUAAxkBAAIBPhoto"


def test_officer_photo_problems(tmp_path: Path) -> None:
    header = HEADER.strip() + ",officer_photo\n"
    found = problems(
        write(
            tmp_path,
            header + "镇,A1,甲村,某,13800000001,1001,,one\n"
            "镇,A2,乙村,某,13800000001,1001,,two\n"
            "镇,A3,丙村,,,,,three\n"
            f"镇,A4,丁村,某,13800000001,1001,,{'x' * 256}\n",
        )
    )
    assert found == [
        "row 3: officer 某 has another officer_photo on row 2",
        "row 4: officer_photo is given but there is no officer",
        "row 5: officer_photo is longer than 255 characters",
    ]


def test_full_width_village_codes_are_read_as_typed_half_width(tmp_path: Path) -> None:
    (row,) = read_roster(write(tmp_path, HEADER + "镇,ＱＳ００９,新村,,,,\n")).rows
    assert row.village_code == "QS009"


def test_demo_roster_loads_once(factory: sessionmaker[Session]) -> None:
    assert read_roster(DEMO_ROSTER).rows
    assert load_demo(factory) is True
    assert load_demo(factory) is False
    with factory() as session:
        assert len(roster.all_villages(session)) == len(read_roster(DEMO_ROSTER).rows)


def test_a_supervisor_per_town_goes_in_with_the_roster_and_comes_back_out(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    header = HEADER.strip() + ",supervisor_telegram_id\n"
    rows = ROWS.replace("-100001\n", "-100001,8001\n", 1)  # given on one row of the town is enough
    load(factory, write(tmp_path, header + rows))
    with factory() as session:
        assert {t.name: t.supervisor_telegram_id for t in roster.all_towns(session)} == {"青山镇": 8001, "白水镇": None}
        exported = list(export_rows(session))
    assert {row[1]: row[8] for row in exported} == {"QS001": 8001, "QS002": 8001, "BS001": None, "BS002": None}
    load(factory, write(tmp_path, HEADER + ROWS))  # a roster without the column leaves them as they are
    with factory() as session:
        assert {t.name: t.supervisor_telegram_id for t in roster.all_towns(session)}["青山镇"] == 8001


def test_supervisor_problems(tmp_path: Path) -> None:
    header = HEADER.strip() + ",supervisor_telegram_id\n"
    text = header + "青山镇,QS001,青山村,,,,,8001\n青山镇,QS002,石桥村,,,,,8002\n白水镇,BS001,白水村,,,,,abc\n"
    assert problems(write(tmp_path, text)) == [
        "row 3: supervisor_telegram_id 8002 of town 青山镇 differs from 8001 on row 2",
        "row 4: supervisor_telegram_id 'abc' is not a Telegram user id (a positive whole number)",
    ]


def test_a_duty_desk_phone_per_town_goes_in_with_the_roster_and_comes_back_out(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    header = HEADER.strip() + ",duty_phone\n"
    rows = ROWS.replace("-100002\n", "-100002,0571-8888 0002\n", 1)  # given on one row of the town is enough
    load(factory, write(tmp_path, header + rows))
    with factory() as session:
        assert {t.name: t.duty_phone for t in roster.all_towns(session)} == {"青山镇": None, "白水镇": "0571-8888 0002"}
        exported = list(export_rows(session))
    assert {row[1]: row[9] for row in exported} == {"QS001": None, "QS002": None, "BS001": "0571-8888 0002",
                                                    "BS002": "0571-8888 0002"}
    with (tmp_path / "out.csv").open("w", encoding="utf-8", newline="") as stream:
        write_csv(exported, stream)
    with factory.begin() as session:
        assert import_roster(session, read_roster(tmp_path / "out.csv")).summary() == "no changes"
    load(factory, write(tmp_path, HEADER + ROWS))  # a roster without the column leaves them as they are
    with factory() as session:
        assert {t.name: t.duty_phone for t in roster.all_towns(session)}["白水镇"] == "0571-8888 0002"


def test_duty_phone_problems(tmp_path: Path) -> None:
    header = HEADER.strip() + ",duty_phone\n"
    text = (
        header + "青山镇,QS001,青山村,,,,,0571-88880001\n青山镇,QS002,石桥村,,,,,0571-88880009\n"
        "白水镇,BS001,白水村,,,,,call the desk\n"
    )
    assert problems(write(tmp_path, text)) == [
        "row 3: duty_phone 0571-88880009 of town 青山镇 differs from 0571-88880001 on row 2",
        "row 4: duty_phone 'call the desk' is not a phone number (digits, spaces, '-', '(' and ')')",
    ]
