"""The report end to end: gather the figures, write the workbook and the charts, say the summary."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from bot.core.duty_rules import Compliance
from bot.report.coverage import Coverage, coverage
from bot.report.duty import DutyFigures, duty_figures
from bot.report.period import Span
from bot.report.requests import RequestFigures, request_figures
from bot.report.supervision import SupervisionFigures, supervision_figures
from bot.report.usage import UsageFigures, usage_figures
from bot.settings import Settings
from intents.faq import Faq


@dataclass(frozen=True)
class Report:
    span: Span
    requests: RequestFigures
    usage: UsageFigures
    coverage: Coverage
    duty: DutyFigures
    supervision: SupervisionFigures


@dataclass(frozen=True)
class ReportFiles:
    workbook: Path
    charts: list[tuple[Path, str]]  # each chart and its title
    summary: str


def gather(session: Session, settings: Settings, span: Span) -> Report:
    """Every figure of the report, read in one session (one consistent view on PostgreSQL too)."""
    return Report(
        span,
        request_figures(session, span),
        usage_figures(session, span),
        coverage(session),
        duty_figures(session, span, settings),
        supervision_figures(session, span, settings),
    )


class Words:
    """The report's texts and number formats in one language."""

    def __init__(self, faq: Faq, lang: str) -> None:
        self.faq, self.lang = faq, lang

    def __call__(self, key: str, **params: object) -> str:
        return self.faq.message(key, self.lang, **params)

    def header(self, key: str) -> list[str]:
        return self(f"report.head.{key}").split("|")

    def kind(self, kind: str) -> str:
        intent = self.faq.get(kind)
        return intent.title.get(self.lang) if intent else kind

    def share(self, value: float | None) -> str:
        return self("report.none") if value is None else f"{value:.0%}" if value in (0, 1) else f"{value:.1%}"

    def ratio(self, value: Compliance) -> str:
        return f"{value.done}/{value.judged}" if value.judged else self("report.none")

    def minutes(self, value: float | None) -> str:
        return self("report.none") if value is None else self("report.minutes", value=value)

    def hours(self, value: float | None) -> str:
        return self("report.none") if value is None else self("report.hours", value=value)


def title(report: Report, words: Words) -> str:
    return words("report.title", first=report.span.first.isoformat(), last=report.span.last.isoformat())


def summary(report: Report, words: Words) -> str:
    """The whole report in a few lines, for Telegram and the terminal."""
    everyone = report.requests.timing[-1]
    verdicts = report.usage.verdicts
    return words(
        "report.summary",
        title=title(report, words),
        requests=report.requests.total,
        accept=words.minutes(everyone.accept_median),
        close=words.hours(everyone.close_median),
        escalated=len(report.requests.escalations),
        overdue=len(report.requests.overdue),
        alerts=len(report.usage.alerts),
        delivered=report.usage.delivered,
        recipients=report.usage.recipients,
        reach=words.share(report.usage.reach),
        checks=sum(verdicts.values()),
        scam=verdicts["scam"],
        suspicious=verdicts["suspicious"],
        safe=verdicts["safe"],
        questions=report.usage.questions,
        fallbacks=sum(f.times for f in report.usage.fallbacks),
        villages_covered=words.share(report.coverage.villages.share),
        officers_covered=words.share(report.coverage.officer_share),
        duty=words.share(report.duty.total.share),
    )


def write_report(session: Session, settings: Settings, faq: Faq, span: Span, out: Path, lang: str) -> ReportFiles:
    """Write `report-FIRST-LAST.xlsx` and the charts into `out`; returns them and the summary."""
    from bot.report import charts, workbook  # matplotlib is slow to import: only when a report is made

    report = gather(session, settings, span)
    words = Words(faq, lang)
    out.mkdir(parents=True, exist_ok=True)
    name = f"report-{span.first.isoformat()}-{span.last.isoformat()}"
    book = workbook.write(report, words, settings, out / f"{name}.xlsx")
    drawn = charts.draw_all(report, words, out, prefix=name)
    return ReportFiles(book, drawn, summary(report, words))
