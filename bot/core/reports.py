"""`/report [FROM TO]` for administrators: the summary, each chart as a photo, the workbook as a document.

The files are written under `report.dir/telegram/`; folders older than a day are removed, late
enough for the outbox to send a chart it had to hold back."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from bot.core.turn import Turn
from bot.core.types import Outcome, Reply
from bot.errors import BadArguments, CunjingError, NotAllowed
from bot.report.build import write_report
from bot.report.period import Span, parse_day, span
from bot.store.types import utcnow

log = logging.getLogger(__name__)

KEEP_SECONDS = 24 * 3600


def period_of(turn: Turn) -> Span:
    """The period the admin asked for: two dates, or none for the last `report.days` days."""
    settings = turn.services.settings
    args = turn.msg.args
    try:
        if not args:
            return span(settings)
        if len(args) == 2:
            return span(settings, parse_day(args[0]), parse_day(args[1]))
    except CunjingError:
        pass
    raise BadArguments(usage=turn.say("usage.report", days=settings.report.days))


def fresh_folder(root: Path, user_id: int) -> Path:
    """A new folder for this report; old ones go."""
    root.mkdir(parents=True, exist_ok=True)
    for old in root.iterdir():
        if old.is_dir() and time.time() - old.stat().st_mtime > KEEP_SECONDS:
            shutil.rmtree(old, ignore_errors=True)
    folder = root / f"{utcnow():%Y%m%d-%H%M%S-%f}-{user_id}"
    folder.mkdir()
    return folder


def on_report(turn: Turn) -> Outcome:
    if not turn.is_admin:
        log.warning("refused user=%s command=report: not an admin", turn.msg.user_id)
        raise NotAllowed("admin.only")
    settings = turn.services.settings
    period = period_of(turn)
    folder = fresh_folder(settings.report.dir / "telegram", turn.msg.user_id)
    files = write_report(turn.session, settings, turn.knowledge.faq, period, folder, turn.lang)
    charts = [Reply(title, photo=str(path)) for path, title in files.charts]
    log.info("report %s..%s for admin %s in %s", period.first, period.last, turn.msg.user_id, folder)
    workbook = Reply(turn.say("report.files"), document=str(files.workbook))
    return Outcome((Reply(files.summary), *charts, workbook))


COMMANDS = {"report": on_report}
