"""A worksheet of the report workbook, filled table by table: bold headers, set widths, real dates, texts kept text."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DCE6F2")
DATE = "yyyy-mm-dd hh:mm"
PERCENT = "0.0%"
MAX_WIDTH = 60
FORMULA_START = ("=", "+", "-", "@")  # what Excel reads as the start of a formula

Row = Sequence[Any]


class Sheet:
    """A worksheet filled table by table, from the top down."""

    def __init__(self, book: Workbook, name: str) -> None:
        self.ws: Worksheet = book.create_sheet(name[:31])  # Excel's limit on sheet names
        self.row = 1

    def table(self, header: Sequence[str], rows: Iterable[Row], formats: dict[int, str] | None = None) -> None:
        """A header in bold, then the rows; `formats` gives number formats by column index."""
        for col, text in enumerate(header, start=1):
            cell = put(self.ws, self.row, col, text)
            cell.font, cell.fill = BOLD, HEAD_FILL
            cell.alignment = Alignment(wrap_text=False, vertical="center")
        self.row += 1
        for values in rows:
            for col, value in enumerate(values, start=1):
                cell = put(self.ws, self.row, col, value)
                if isinstance(value, datetime):
                    cell.number_format = DATE
                elif formats and col - 1 in formats and value is not None:
                    cell.number_format = formats[col - 1]
            self.row += 1
        self.row += 1  # a blank line before the next table

    def finish(self) -> None:
        """Column widths from the longest text in each column; the first row stays in view."""
        widths: dict[int, float] = {}
        for row in self.ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    widths[cell.column] = max(widths.get(cell.column, 0), display_width(cell))
        for col, width in widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = min(MAX_WIDTH, width + 2)
        self.ws.freeze_panes = "A2"


def put(ws: Worksheet, row: int, col: int, value: Any) -> Cell:
    """Write one cell; a text is written as text, whatever a villager typed into it: control
    characters (which the XLSX format cannot hold: openpyxl refuses them) are dropped, and a text
    that Excel would read as a formula (=HYPERLINK(...)) stays a text, also when edited."""
    if not isinstance(value, str):
        return ws.cell(row, col, value)
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = ws.cell(row, col, text)
    if text.startswith(FORMULA_START):
        cell.data_type = "s"  # openpyxl took a leading = for a formula
        cell.quotePrefix = True  # Excel keeps it a text when the cell is edited
    return cell


def display_width(cell: Any) -> float:
    """How wide a value shows: a Chinese character takes two columns, a date sixteen."""
    if isinstance(cell.value, datetime):
        return 16
    if isinstance(cell.value, float):
        return 10
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(cell.value))
