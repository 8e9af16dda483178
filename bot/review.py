"""The review loop's one piece of code, for `/review` (bot/core/review.py) and `cunjing faq review`:
a labelled question becomes an example of its intent (or an out-of-scope example) in
faq/reviewed.yaml, unless `cunjing faq validate` would then report an error. The matcher is then
calibrated again: in the background after a `/review` choice (`Calibrator`), once at the end of a
terminal session.

Who labelled what and when is written with each example (and with the asked question's row)."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from bot.faq_tools import recalibrate
from bot.services import build_matcher
from bot.settings import Settings
from intents.conflicts import conflicts
from intents.faq import REVIEWED_OUT, parse_faq

log = logging.getLogger(__name__)

FILE = "reviewed.yaml"
OUT = REVIEWED_OUT  # the label of a question the bot must not answer from the FAQ
MAX_REASONS = 5
HEADER = (
    "# Questions villagers asked that the bot could not answer (or barely), labelled by an administrator\n"
    "# with /review in Telegram or `cunjing faq review`: each is an example of its intent, or of the\n"
    "# questions out of scope. Written by the review loop (bot/review.py); an entry may be removed by hand.\n"
    "reviewed:\n"
)
_write_lock = threading.Lock()  # two admins at once in one process: one file write at a time


@dataclass(frozen=True)
class Label:
    text: str  # as stored: phone and ID numbers masked
    intent: str  # an intent id, or OUT
    who: str  # "telegram:<id>" or "terminal:<user>"
    when: datetime


@dataclass(frozen=True)
class Result:
    added: tuple[Label, ...]
    refused: tuple[tuple[Label, tuple[str, ...]], ...]  # each with the reasons `faq validate` gives


def add(settings: Settings, labels: Sequence[Label]) -> Result:
    """Add the labelled questions to faq/reviewed.yaml. Those that would make `faq validate` report
    an error are refused with its reasons and the file keeps none of them; an error elsewhere in the
    FAQ refuses them all."""
    directory = settings.faq.dir
    with _write_lock:
        base = current_text(directory)
        pending, refused = list(labels), []
        while pending:
            text, starts = with_entries(base, pending)
            errors = candidate_errors(directory, text, settings)
            if not errors:
                break
            ours: dict[int, list[str]] = {}  # new entry -> its errors
            for file, line, message in errors:
                if file == FILE and line in starts:
                    ours.setdefault(starts.index(line), []).append(f"{file}:{line}: {message}")
            if not ours:  # not one of the new entries: the FAQ would break, or is broken already
                reasons = tuple(f"{file}:{line}: {message}" for file, line, message in errors[:MAX_REASONS])
                refused += [(label, reasons) for label in pending]
                pending = []
                break
            refused += [(pending[i], tuple(found[:MAX_REASONS])) for i, found in ours.items()]
            pending = [label for i, label in enumerate(pending) if i not in ours]
        if pending:
            write_atomically(directory / FILE, with_entries(base, pending)[0])
            log.info("review: %d question(s) added to %s, %d refused", len(pending), FILE, len(refused))
    return Result(tuple(pending), tuple(refused))


def current_text(directory: Path) -> str:
    path = directory / FILE
    return path.read_text(encoding="utf-8") if path.is_file() else HEADER


def entry(label: Label) -> str:
    """One item of the `reviewed:` list, as YAML text (the labels of the file are kept as written)."""
    item = {"intent": label.intent, "text": label.text, "who": label.who, "when": label.when.isoformat()}
    body = yaml.safe_dump([item], allow_unicode=True, sort_keys=False, width=1_000_000)
    return "".join(f"  {line}\n" for line in body.splitlines())


def with_entries(base: str, labels: Sequence[Label]) -> tuple[str, list[int]]:
    """The file's text with `labels` appended, and the line each new entry starts at."""
    text = base if base.endswith("\n") else base + "\n"
    starts = []
    for label in labels:
        starts.append(text.count("\n") + 1)
        text += entry(label)
    return text, starts


def candidate_errors(directory: Path, text: str, settings: Settings) -> list[tuple[str, int, str]]:
    """The errors `faq validate` would report for the FAQ of `directory` with reviewed.yaml as `text`:
    (file name, line, message). Checked on a copy, so the FAQ in use is never half written.

    Only what an example can change is checked: the schema and the conflict report's errors. The
    catalogue, the scam rules and the kiosk warnings look at intent ids, which a review never adds
    (the scam rules alone cost two seconds), and the conflict warnings refuse nothing."""
    with tempfile.TemporaryDirectory(prefix="cunjing-review-") as tmp:
        copy = Path(tmp) / "faq"
        shutil.copytree(directory, copy)
        (copy / FILE).write_text(text, encoding="utf-8")
        faq, problems = parse_faq(copy)
        if not any(p.severity == "error" for p in problems):
            problems += conflicts(build_matcher(faq, settings), warnings=False)
    return [(Path(p.file).name, p.line, p.message) for p in problems if p.severity == "error"]


def write_atomically(path: Path, text: str) -> None:
    """Readers see the old file or the new one, never a part (a crash leaves the old one)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Calibrator:
    """Calibration learnt again in a background thread, one run at a time; asked again while it runs,
    it runs once more after. Measured on the shipped FAQ (2026-12-06, this 2-core machine), one
    calibration costs tens of seconds of CPU: within the turn it would stop the core (which answers
    one message at a time) and hold the database's write lock for all that time. The new example is
    used at once (the knowledge is reloaded when it is added, bot/core/review.py); only the confidence
    follows a little later."""

    def __init__(self, work: Callable[[Path, Settings], str] = recalibrate) -> None:
        self.work = work
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again: tuple[Settings, Callable[[], object]] | None = None

    def later(self, settings: Settings, done: Callable[[], object]) -> None:
        """Recalibrate the FAQ of `settings`, then call `done` (e.g. reload the knowledge)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                self._again = (settings, done)
                return
            self._thread = threading.Thread(target=self._run, args=(settings, done), name="recalibrate", daemon=True)
            self._thread.start()

    def _run(self, settings: Settings, done: Callable[[], object]) -> None:
        while True:
            try:
                log.info("review: %s", self.work(settings.faq.dir, settings))
                done()
            except Exception:  # noqa: BLE001 - a thread of its own: logged, and the last calibration stays
                log.exception("review: recalibration failed")
            with self._lock:
                if self._again is None:
                    self._thread = None
                    return
                (settings, done), self._again = self._again, None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the calibrations asked for so far; False when still running after `timeout`."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive() and self.wait(0)
        return True


CALIBRATOR = Calibrator()  # one per process: runs of one FAQ must not overlap
