"""The review loop's background calibration: one run at a time; asked again while it runs, it runs
once more afterwards (not once per ask), and what follows it (the reload) runs after each."""

from __future__ import annotations

import threading
from pathlib import Path

from bot.review import Calibrator
from bot.settings import load_settings


def test_asks_during_a_run_are_run_once_more_after_it() -> None:
    started, release = threading.Event(), threading.Event()
    runs: list[Path] = []
    reloads: list[int] = []

    def work(directory: Path, settings: object) -> str:
        runs.append(directory)
        started.set()
        release.wait(10)
        return "calibrated"

    calibrator = Calibrator(work)
    settings = load_settings(env={})
    calibrator.later(settings, lambda: reloads.append(1))
    assert started.wait(10)
    for n in (2, 3, 4):  # three more choices while the first calibration runs
        calibrator.later(settings, lambda n=n: reloads.append(n))
    release.set()
    assert calibrator.wait(10)
    assert runs == [settings.faq.dir, settings.faq.dir]
    assert reloads == [1, 4]  # the last ask's reload, after the second run


def test_a_failed_calibration_is_logged_and_the_next_one_runs(caplog) -> None:  # type: ignore[no-untyped-def]
    outcomes = iter([RuntimeError("broken"), "calibrated"])

    def work(directory: Path, settings: object) -> str:
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    calibrator = Calibrator(work)
    reloads: list[int] = []
    settings = load_settings(env={})
    calibrator.later(settings, lambda: reloads.append(1))
    assert calibrator.wait(10)
    calibrator.later(settings, lambda: reloads.append(2))
    assert calibrator.wait(10)
    assert reloads == [2] and "recalibration failed" in caplog.text
