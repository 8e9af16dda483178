"""`cunjing report [--from DATE --to DATE] [--out DIR]`: the station's report as XLSX and PNG charts."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from bot.errors import CunjingError
from bot.report.build import write_report
from bot.report.period import parse_day, span
from bot.settings import load_settings
from bot.store import db
from intents.faq import load_faq


def day(text: str) -> date:
    """A date argument; a bad one is argparse's usage error."""
    try:
        return parse_day(text)
    except CunjingError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="the station's report: requests, alerts, scam checks, coverage, duty (XLSX + PNG)"
    )
    p.add_argument("--from", dest="first", type=day, metavar="DATE", help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="last", type=day, metavar="DATE", help="last day, YYYY-MM-DD (default today)")
    p.add_argument("--out", type=Path, help="the folder to write into (default: report.dir in config.yaml)")
    p.add_argument("--lang", choices=("zh", "en"), help="the report's language (default: app.default_lang)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    faq = load_faq(settings.faq.dir)
    period = span(settings, args.first, args.last)
    engine = db.make_engine(settings.database)
    try:
        db.upgrade(engine)
        with db.session_factory(engine)() as session:
            files = write_report(
                session, settings, faq, period, args.out or settings.report.dir, args.lang or settings.app.default_lang
            )
    finally:
        engine.dispose()
    print(files.summary, file=sys.stderr)
    for path in (files.workbook, *(chart for chart, _ in files.charts)):
        print(path)
    return 0
