"""The report as an XLSX workbook: one sheet per topic, bold headers, set widths, real dates."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot import localtime
from bot.core.duty_rules import KINDS, Compliance
from bot.report.build import Report, Words, title
from bot.report.duty import DutyRow
from bot.report.usage import VERDICTS
from bot.settings import Settings

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


def verdict_order(verdict: str) -> int:
    return VERDICTS.index(verdict) if verdict in VERDICTS else len(VERDICTS)


def summary_sheet(book: Workbook, report: Report, w: Words) -> None:
    everyone, usage, cover = report.requests.timing[-1], report.usage, report.coverage
    sheet = Sheet(book, w("report.sheet.summary"))
    rows: list[Row] = [
        (w("report.measure.period"), title(report, w)),
        (w("report.measure.requests"), report.requests.total),
        (w("report.head.timing").split("|")[3], everyone.accept_median),
        (w("report.head.timing").split("|")[6], everyone.close_median),
        (w("report.measure.escalated"), len(report.requests.escalations)),
        (w("report.measure.overdue"), len(report.requests.overdue)),
        (w("report.measure.reach"), usage.reach),
        (w("report.measure.checks"), sum(usage.verdicts.values())),
        (w("report.measure.fallbacks"), sum(f.times for f in usage.fallbacks)),
        (w("report.measure.villages_covered"), cover.villages.share),
        (w("report.measure.officers_covered"), cover.officer_share),
        (w("report.measure.duty"), report.duty.total.share),
    ]
    sheet.table(w.header("summary"), rows)
    for index in (2, 3):
        sheet.ws.cell(index + 2, 2).number_format = "0.0"
    for index in (6, 9, 10, 11):
        sheet.ws.cell(index + 2, 2).number_format = PERCENT
    sheet.finish()


def request_sheets(book: Workbook, report: Report, w: Words, settings: Settings) -> None:
    figures = report.requests
    head = w.header("requests")
    sheet = Sheet(book, w("report.sheet.requests"))
    rows: list[Row] = [
        (
            w.kind(k),
            *(figures.counts[(k, t)] for t in figures.towns),
            sum(figures.counts[(k, t)] for t in figures.towns),
        )
        for k in figures.kinds
    ]
    totals = [sum(figures.counts[(k, t)] for k in figures.kinds) for t in figures.towns]
    sheet.table([head[0], *figures.towns, head[1]], [*rows, (w("report.all"), *totals, figures.total)])
    sheet.finish()

    sheet = Sheet(book, w("report.sheet.timing"))
    timing = [
        (
            t.town or w("report.all"),
            t.requests,
            t.accepted,
            t.accept_median,
            t.accept_p90,
            t.closed,
            t.close_median,
            t.close_p90,
        )
        for t in figures.timing
    ]
    sheet.table(w.header("timing"), timing, {3: "0.0", 4: "0.0", 6: "0.0", 7: "0.0"})
    sheet.finish()

    local = lambda moment: localtime.naive_local(moment, settings)  # noqa: E731
    sheet = Sheet(book, w("report.sheet.escalations"))
    sheet.table(
        w.header("escalations"),
        [
            (
                r.id,
                r.village.town.name,
                r.village.name,
                w.kind(r.kind),
                local(r.created_at),
                local(r.escalated_at),
                local(r.accepted_at),
                w(f"status.{r.status}"),
            )
            for r in figures.escalations
        ],
    )
    sheet.finish()

    sheet = Sheet(book, w("report.sheet.overdue"))
    sheet.table(
        w.header("overdue"),
        [
            (
                r.id,
                r.village.town.name,
                r.village.name,
                w.kind(r.kind),
                local(r.created_at),
                local(r.accept_deadline),
                (report.span.now - r.accept_deadline).total_seconds() / 3600,
                "✓" if r.escalated_at else "",
            )
            for r in figures.overdue
        ],
        {6: "0.0"},
    )
    sheet.finish()


def usage_sheets(book: Workbook, report: Report, w: Words, settings: Settings) -> None:
    usage = report.usage
    sheet = Sheet(book, w("report.sheet.alerts"))
    rows: list[Row] = [
        (
            a.alert.id,
            a.alert.scope,
            localtime.naive_local(a.alert.created_at, settings),
            w(f"report.alert.{a.alert.status}"),
            a.recipients,
            a.delivered,
            a.by_status.get("failed", 0),
            a.by_status.get("blocked", 0),
            a.by_status.get("pending", 0),
            a.reach,
        )
        for a in usage.alerts
    ]
    sheet.table(w.header("alerts"), rows, {9: PERCENT})
    sheet.finish()

    sheet = Sheet(book, w("report.sheet.checks"))
    ordered = sorted(usage.checks.items(), key=lambda item: (verdict_order(item[0][0]), -item[1]))
    sheet.table(
        w.header("checks"),
        [(w(f"report.verdict.{verdict}"), w.kind(kind) if kind else "", n) for (verdict, kind), n in ordered],
    )
    sheet.finish()

    sheet = Sheet(book, w("report.sheet.fallbacks"))
    local = lambda moment: localtime.naive_local(moment, settings)  # noqa: E731
    sheet.table(w.header("fallbacks"), [(f.text, f.times, local(f.first), local(f.last)) for f in usage.fallbacks])
    sheet.ws.column_dimensions["A"].width = MAX_WIDTH
    sheet.finish()


def coverage_sheet(book: Workbook, report: Report, w: Words) -> None:
    cover = report.coverage
    sheet = Sheet(book, w("report.sheet.coverage"))
    head = w.header("coverage")
    sheet.table(
        head[:4], [(t.town or w("report.all"), t.villages, t.covered, t.share) for t in cover.towns], {3: PERCENT}
    )
    sheet.table(
        [head[0], *head[4:]], [(w("report.all"), cover.officers, cover.with_village, cover.officer_share)], {3: PERCENT}
    )
    sheet.table(w.header("uncovered"), [(v.name, v.town.name, v.code) for v in cover.uncovered])
    sheet.table(w.header("idle"), [(o.name, o.phone) for o in cover.idle])
    sheet.finish()


def duty_sheets(book: Workbook, report: Report, w: Words, settings: Settings) -> None:
    figures = report.duty

    def ratios(row: DutyRow) -> list[str]:
        return [w.ratio(row.by_kind[k]) for k in KINDS]

    sheet = Sheet(book, w("report.sheet.duty_officers"))
    rows: list[Row] = [
        (r.name, "、".join(r.towns), "、".join(r.villages), *ratios(r), r.total.share) for r in figures.officers
    ]
    sheet.table(w.header("duty_officers"), rows, {6: PERCENT})
    sheet.finish()

    sheet = Sheet(book, w("report.sheet.duty_towns"))
    sheet.table(
        w.header("duty_towns"),
        [(r.name, len(r.villages), *ratios(r), r.total.share) for r in figures.towns],
        {5: PERCENT},
    )
    sheet.finish()

    sheet = Sheet(book, w("report.sheet.duty_log"))
    sheet.table(
        w.header("duty_log"),
        [
            (
                localtime.naive_local(log.at, settings),
                officer.name,
                village.town.name,
                village.name,
                w(f"duty.kind.{log.kind}"),
                log.text,
                "✓" if log.photo else "",
            )
            for log, officer, village in figures.log
        ],
    )
    sheet.finish()


def supervision_sheets(book: Workbook, report: Report, w: Words) -> None:
    figures = report.supervision
    sheet = Sheet(book, w("report.sheet.satisfaction"))
    head = w.header("satisfaction")
    sheet.table(head, [(s.name, s.rated, *s.scores, s.share) for s in figures.officers], {5: PERCENT})
    towns = [(s.name or w("report.all"), s.rated, *s.scores, s.share) for s in figures.towns]
    sheet.table([w("report.town"), *head[1:]], towns, {5: PERCENT})
    sheet.table(w.header("unrated"), [(o.name, o.phone) for o in figures.unrated])
    sheet.finish()

    sheet = Sheet(book, w("report.sheet.complaints"))
    kind = lambda k: w(f"complaint.kind.{k}") if k else w("report.all")  # noqa: E731
    rows: list[Row] = [(kind(c.kind), c.received, c.closed, c.close_median, c.close_p90) for c in figures.complaints]
    sheet.table(w.header("complaints"), rows, {3: "0.0", 4: "0.0"})
    sheet.finish()

    sheet = Sheet(book, w("report.sheet.disputes"))
    cadence = {row.name: [w.ratio(row.by_kind[k]) for k in KINDS] for row in report.duty.towns}
    everyone = [w.ratio(sum((r.by_kind[k] for r in report.duty.towns), Compliance())) for k in KINDS]
    sheet.table(
        w.header("disputes"),
        [
            (
                d.town or w("report.all"),
                d.taken,
                d.closed,
                *(d.outcomes.get(o, 0) for o in ("settled", "unsettled", "referred")),
                d.settled_share,
                *(cadence.get(d.town, ["", "", ""]) if d.town else everyone),
            )
            for d in figures.disputes
        ],
        {6: PERCENT},
    )
    sheet.table(
        w.header("disputes_months"),
        [
            (f"{month:%Y-%m}", d.town or w("report.all"), d.taken, d.closed,
             *(d.outcomes.get(o, 0) for o in ("settled", "unsettled", "referred")), d.settled_share)
            for month, rows in figures.months
            for d in rows
        ],
        {7: PERCENT},
    )
    sheet.finish()


def write(report: Report, words: Words, settings: Settings, path: Path) -> Path:
    """Write the workbook to `path`."""
    book = Workbook()
    book.remove(book.active)  # the default empty sheet
    summary_sheet(book, report, words)
    request_sheets(book, report, words, settings)
    usage_sheets(book, report, words, settings)
    coverage_sheet(book, report, words)
    duty_sheets(book, report, words, settings)
    supervision_sheets(book, report, words)
    book.properties.title = title(report, words)
    book.save(path)
    return path
