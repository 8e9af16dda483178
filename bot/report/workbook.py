"""The report as an XLSX workbook: one sheet per topic (bot/report/sheet.py fills them)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from openpyxl import Workbook

from bot import localtime
from bot.report.build import Report, Words, title
from bot.report.officer_sheets import duty_sheets, supervision_sheets
from bot.report.sheet import MAX_WIDTH, PERCENT, Row, Sheet
from bot.report.usage import VERDICTS
from bot.settings import Settings
from bot.store.models import Request


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

    def listing(
        key: str, requests: Iterable[Request], more: Callable[[Request], Row], formats: dict[int, str] | None = None
    ) -> None:
        """A sheet of requests, one a row: which, where, what and when asked, then `more` of each."""
        sheet = Sheet(book, w(f"report.sheet.{key}"))
        rows = [
            (r.id, r.village.town.name, r.village.name, w.kind(r.kind), local(r.created_at), *more(r)) for r in requests
        ]
        sheet.table(w.header(key), rows, formats)
        sheet.finish()

    listing(
        "escalations",
        figures.escalations,
        lambda r: (local(r.escalated_at), local(r.accepted_at), w(f"status.{r.status}")),
    )
    listing(
        "overdue",
        figures.overdue,
        lambda r: (
            local(r.accept_deadline),
            (report.span.now - r.accept_deadline).total_seconds() / 3600,
            "✓" if r.escalated_at else "",
        ),
        {6: "0.0"},
    )


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
