"""`cunjing faq validate|calibrate|examples [DIR]` and `cunjing faq review`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.commands.faq_review import run as review
from bot.faq_tools import extra_checks, problems_of, recalibrate
from bot.settings import load_settings
from intents.faq import load_faq

__all__ = ["add_parser", "extra_checks", "problems_of"]  # the checks live in bot/faq_tools.py


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("faq", help="check the FAQ content or list its example questions")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="VERB")
    v = verbs.add_parser("validate", help="check schema, catalogue coverage and conflicts; exit 1 on errors")
    v.add_argument("dir", nargs="?", type=Path)
    v.add_argument("--strict", action="store_true", help="treat warnings as errors")
    v.add_argument("--quiet", action="store_true", help="print errors only")
    v.set_defaults(run=validate)
    c = verbs.add_parser("calibrate", help="learn the matcher's confidence from the FAQ (writes calibration.yaml)")
    c.add_argument("dir", nargs="?", type=Path)
    c.set_defaults(run=calibrate)
    e = verbs.add_parser("examples", help="every example question as a JSON line {intent, text}")
    e.add_argument("dir", nargs="?", type=Path)
    e.set_defaults(run=examples)
    r = verbs.add_parser("review", help="label the questions the bot could not answer, one at a time")
    r.add_argument("--no-calibrate", action="store_true", help="leave `cunjing faq calibrate` for later")
    r.set_defaults(run=review)


def validate(args: argparse.Namespace) -> int:
    settings = load_settings()
    directory = args.dir or settings.faq.dir
    problems = problems_of(directory, settings)
    errors = [p for p in problems if p.severity == "error" or args.strict]
    for problem in problems:
        if problem in errors or not args.quiet:
            print(problem)
    warnings = len(problems) - len(errors)
    print(f"{directory}: {len(errors)} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if errors else 0


def examples(args: argparse.Namespace) -> int:
    settings = load_settings()
    faq = load_faq(args.dir or settings.faq.dir)
    for intent in faq.intents.values():
        for text in intent.examples:
            sys.stdout.write(json.dumps({"intent": intent.id, "text": text}, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0


def calibrate(args: argparse.Namespace) -> int:
    settings = load_settings()
    directory = args.dir or settings.faq.dir
    print(recalibrate(directory, settings))
    return 0
