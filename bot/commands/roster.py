"""`cunjing roster import FILE` / `cunjing roster export [FILE]`: the villages and their officers, as CSV or XLSX."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.settings import load_settings
from bot.store import db
from bot.store.roster_file import EXCEL, RosterError, read_roster, write_csv, write_xlsx
from bot.store.roster_sync import export_rows, import_roster


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("roster", help="import or export the villages and their officers (CSV or XLSX)")
    actions = p.add_subparsers(dest="roster_command", required=True, metavar="ACTION")
    imp = actions.add_parser("import", help="update the roster from a CSV or XLSX file (all rows or none)")
    imp.add_argument("file", type=Path)
    imp.set_defaults(run=run_import)
    exp = actions.add_parser("export", help="write the roster as CSV (to stdout or FILE) or XLSX (FILE.xlsx)")
    exp.add_argument("file", type=Path, nargs="?")
    exp.set_defaults(run=run_export)


def run_import(args: argparse.Namespace) -> int:
    try:
        roster = read_roster(args.file)
    except RosterError as exc:
        print(f"{args.file}: nothing imported / 未导入任何内容:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    engine = db.make_engine(load_settings().database)
    try:
        db.upgrade(engine)
        with db.session_factory(engine).begin() as session:
            report = import_roster(session, roster)
    finally:
        engine.dispose()
    print(f"{args.file}: {len(roster.rows)} villages imported ({report.summary()})")
    return 0


def run_export(args: argparse.Namespace) -> int:
    engine = db.make_engine(load_settings().database)
    try:
        db.upgrade(engine)
        with db.session_factory(engine)() as session:
            rows = list(export_rows(session))
    finally:
        engine.dispose()
    path: Path | None = args.file
    if path is None:
        write_csv(rows, sys.stdout)
    elif path.suffix.lower() in EXCEL:
        write_xlsx(rows, path)
    else:
        with path.open("w", encoding="utf-8-sig", newline="") as stream:  # the BOM tells Excel it is UTF-8
            write_csv(rows, stream)
    if path is not None:
        print(f"{path}: {len(rows)} villages exported", file=sys.stderr)
    return 0
