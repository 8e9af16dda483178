"""Roster files (CSV or XLSX): read and validate every row before anything is imported; write them back.

The rows' columns and checks are in bot/store/roster_rows.py; its names are importable from here too."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from bot.store.roster_rows import COLUMNS, OPTIONAL, Roster, RosterError, RosterRow, parse_table

# the rows' names that were always imported from here
__all__ = [
    "COLUMNS",
    "EXCEL",
    "OPTIONAL",
    "Roster",
    "RosterError",
    "RosterRow",
    "parse_table",
    "read_roster",
    "read_table",
    "write_csv",
    "write_xlsx",
]

EXCEL = (".xlsx", ".xlsm")
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"


def read_roster(path: Path) -> Roster:
    """Read and validate a roster file; RosterError lists every problem, with row numbers."""
    return parse_table(read_table(path))


def read_table(path: Path) -> list[list[str]]:
    """The file's cells as text, header first; RosterError for a missing, empty or unreadable file."""
    if not path.is_file():
        raise RosterError([f"{path}: no such file"])
    table = _read_xlsx(path) if path.suffix.lower() in EXCEL else _read_csv(path)
    while table and not any(table[-1]):
        table.pop()
    if not table:
        raise RosterError([f"{path}: the file is empty (expected a header row: {', '.join(COLUMNS)})"])
    return table


def write_csv(rows: Iterable[Sequence[Any]], stream: TextIO) -> None:
    """Write the header and rows as CSV."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow((*COLUMNS, *OPTIONAL))
    writer.writerows(["" if cell is None else cell for cell in row] for row in rows)


def write_xlsx(rows: Iterable[Sequence[Any]], path: Path) -> None:
    """Write the header and rows as an XLSX workbook (phones as text, ids as numbers)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "roster"
    sheet.append([*COLUMNS, *OPTIONAL])
    for row in rows:
        sheet.append(list(row))
    book.save(path)


def _read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        raise RosterError([f"{path}: this is an Excel workbook, not CSV: name it .xlsx"])
    if b"\x00" in data:
        raise RosterError([f"{path}: binary data, not a CSV text file (an old .xls? save it as .xlsx or CSV UTF-8)"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError(
            [
                f"{path}: not UTF-8 text (bad byte at offset {exc.start}). In Excel choose "
                "'CSV UTF-8 (逗号分隔)' when saving / 请在 Excel 中另存为“CSV UTF-8（逗号分隔）”"
            ]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return [[_clean(cell) for cell in row] for row in reader]
    except csv.Error as exc:
        raise RosterError([f"{path}: row {reader.line_num}: not valid CSV: {exc}"]) from None


def _read_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl fails in many ways on a broken file; all mean the same here
        raise RosterError([f"{path}: not a readable XLSX workbook ({type(exc).__name__}: {exc})"]) from None
    try:
        if not book.worksheets:
            return []
        return [[_clean(cell) for cell in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    except Exception as exc:  # a workbook whose sheet XML is damaged
        raise RosterError([f"{path}: the first sheet cannot be read ({type(exc).__name__}: {exc})"]) from None
    finally:
        book.close()


def _clean(cell: Any) -> str:
    """A cell as trimmed text; Excel's whole numbers (1001.0) lose their '.0'."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = str(cell)
    for char in _INVISIBLE:
        text = text.replace(char, "")
    return text.strip()
