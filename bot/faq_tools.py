"""Checking and calibrating a FAQ directory: what `cunjing faq validate` and `calibrate` run, and
what the review loop (bot/review.py) runs after each question it adds."""

from __future__ import annotations

import importlib
from pathlib import Path

from bot.services import build_matcher
from bot.settings import PROJECT_ROOT, Settings
from intents import calibration, scam_training
from intents.conflicts import conflicts
from intents.faq import Faq, Problem, check_catalogue, load_faq, parse_faq
from intents.faq_model import SemanticCalibration

# Checks of the FAQ's other files, each `check(faq_dir, intent_ids) -> list[Problem]`; a module
# that is not there yet is skipped.
EXTRA_CHECKS = (("intents.scamcheck", "check_rules"), ("voice.playlist", "check_warnings"))


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


def recalibrate(directory: Path, settings: Settings) -> str:
    """Learn the matcher's confidence from the FAQ of `directory` into its calibration.yaml; a line
    saying what was written."""
    faq = load_faq(directory)
    matcher = build_matcher(faq, settings)
    data = calibration.samples(matcher)
    weights = calibration.fit(data.words)
    path = directory / "calibration.yaml"
    matcher_line = f"{path}: {weights} (log loss {calibration.log_loss(data.words, weights):.3f})"
    semantic = None
    if matcher.meaning is not None and data.meaning:
        fitted = calibration.fit(data.meaning, standardise=True)
        semantic = SemanticCalibration(matcher.meaning.encoder.name, fitted[0], fitted[1:])
        loss = calibration.log_loss(data.meaning, fitted)
        matcher_line += f"\n{path} (with {semantic.encoder}): {fitted} (log loss {loss:.3f})"
    calibration.write(path, weights, len(data.words), semantic)
    # the scam checker's n-gram model and its decision (faq/scam_model.json), from faq/scam_messages.jsonl
    return f"{matcher_line}\n{scam_training.calibrate(directory, matcher.encoder)}"
