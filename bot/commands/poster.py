"""`cunjing poster CODE [--out FILE.pdf|png]` / `cunjing poster --all DIR`: printable village posters."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.errors import CunjingError
from bot.poster.write import FORMATS, file_format, write_poster
from bot.settings import load_settings
from bot.store import db, roster
from intents.faq import load_faq


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("poster", help="print a village's A4 poster: its officer, phone and the bot's QR code")
    p.add_argument("code", nargs="?", help="the village code, e.g. QS001")
    p.add_argument("--out", type=Path, help="the file to write, .pdf or .png (default: poster-CODE.pdf)")
    p.add_argument("--all", type=Path, metavar="DIR", help="write one poster per village into DIR")
    p.add_argument("--format", choices=FORMATS, default="pdf", help="with --all: pdf (to print) or png")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="the poster's language (default zh)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if (args.code is None) == (args.all is None):
        raise CunjingError("poster: give a village CODE or --all DIR (not both)")
    if args.out is not None:
        file_format(args.out)  # refuse a bad name before any work
    settings = load_settings()
    faq = load_faq(settings.faq.dir)
    engine = db.make_engine(settings.database)
    try:
        db.upgrade(engine)
        with db.session_factory(engine)() as session:
            if args.all is None:
                village = roster.village_by_code(session, args.code)
                if village is None:
                    raise CunjingError(f"poster: no village with the code {args.code}")
                out = args.out or Path(f"poster-{village.code}.{args.format}")
                print(write_poster(session, village, settings, faq, out, args.lang))
                return 0
            villages = roster.all_villages(session)
            for village in villages:
                out = args.all / f"{village.code}.{args.format}"
                print(write_poster(session, village, settings, faq, out, args.lang))
    finally:
        engine.dispose()
    print(f"{args.all}: {len(villages)} posters", file=sys.stderr)
    return 0
