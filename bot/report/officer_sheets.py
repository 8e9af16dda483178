"""The officers' sheets of the report workbook: duty cadence, satisfaction, complaints and disputes."""

from __future__ import annotations

from openpyxl import Workbook

from bot import localtime
from bot.core.duty_rules import KINDS, Compliance
from bot.report.build import Report, Words
from bot.report.duty import DutyRow
from bot.report.sheet import PERCENT, Row, Sheet
from bot.settings import Settings


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
            (
                f"{month:%Y-%m}",
                d.town or w("report.all"),
                d.taken,
                d.closed,
                *(d.outcomes.get(o, 0) for o in ("settled", "unsettled", "referred")),
                d.settled_share,
            )
            for month, rows in figures.months
            for d in rows
        ],
        {7: PERCENT},
    )
    sheet.finish()
