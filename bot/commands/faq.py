"""`cunjing faq validate [DIR]` and `cunjing faq examples [DIR]`."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

from bot.services import build_matcher
from bot.settings import PROJECT_ROOT, Settings, load_settings
from intents import calibration
from intents.conflicts import conflicts
from intents.faq import Faq, Problem, check_catalogue, load_faq, parse_faq

# Checks of the FAQ's other files, each `check(faq_dir, intent_ids) -> list[Problem]`; a module
# that is not there yet is skipped.
EXTRA_CHECKS = (("intents.scamcheck", "check_rules"), ("voice.playlist", "check_warnings"))


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


def catalogue_path(settings: Settings) -> Path | None:
    """The intent catalogue to check against: the setting, else ../shared beside the project."""
    path = settings.faq.catalogue or PROJECT_ROOT.parent / "shared" / "intent-catalogue.yaml"
    return path if path.is_file() else None


def problems_of(directory: Path, settings: Settings) -> list[Problem]:
    """Every problem of the FAQ in `directory`, the conflict report included."""
    faq, problems = parse_faq(directory)
    catalogue = catalogue_path(settings)
    if catalogue is None:
        problems.append(Problem(str(directory), 0, "intent catalogue not found: coverage not checked", "warning"))
    else:
        problems += check_catalogue(faq, catalogue)
    problems += extra_checks(directory, faq)
    if not any(p.severity == "error" for p in problems):
        problems += conflicts(build_matcher(faq, settings))
    return problems


def extra_checks(directory: Path, faq: Faq) -> list[Problem]:
    found: list[Problem] = []
    for module_name, function in EXTRA_CHECKS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        check = getattr(module, function, None)
        if check is not None:
            found += check(directory, list(faq.intents))
    return found


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
    faq = load_faq(directory)
    data = calibration.samples(build_matcher(faq, settings))
    weights = calibration.fit(data)
    calibration.write(directory / "calibration.yaml", weights, len(data))
    print(f"{directory / 'calibration.yaml'}: {weights} (log loss {calibration.log_loss(data, weights):.3f})")
    return 0
