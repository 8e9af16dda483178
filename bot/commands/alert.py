"""`cunjing alert SCOPE --text TEXT [--en TEXT] [--yes] [--no-follow]`: a fraud alert from the
command line, as an administrator. It stores the job (status sending); the running bot
(`cunjing run`) delivers it, and a restarted bot resumes it. This command follows the progress
with a bar until the job is done; Ctrl-C stops the following, never the job."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TextIO

from sqlalchemy.orm import Session, sessionmaker

from bot.core import alert_texts
from bot.errors import CunjingError
from bot.settings import Settings, load_settings
from bot.store import alerts, db, linked_groups
from intents.faq import Faq, load_faq

FOLLOW_EVERY = 0.5  # seconds between two looks at the job
STALLED = 5.0  # seconds without progress before saying the bot seems not to be running


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("alert", help="send a fraud alert to a village, a town or all (the running bot delivers it)")
    p.add_argument("scope", help="a village code (QS001), a town name or all")
    p.add_argument("--text", required=True, help="the alert: Chinese (or English when it has no Chinese)")
    p.add_argument("--en", default="", help="the English text, for villagers who read English")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.add_argument("--no-follow", action="store_true", help="store the job and return at once")
    p.add_argument("--as", dest="admin", type=int, help="the sending administrator's Telegram id (default: the first)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    out, settings = sys.stdout, load_settings()
    faq = load_faq(settings.faq.dir)
    words = alert_texts.split_languages(args.text, args.en)
    if words.empty:
        raise CunjingError("the alert has no text")
    length = alert_texts.too_long(faq, words, None)
    if length is not None:
        raise CunjingError(f"the alert is too long: {length} characters, at most {alert_texts.TEXT_MAX}")
    engine = db.make_engine(settings.database)
    try:
        db.upgrade(engine)
        factory = db.session_factory(engine)
        alert_id = store(args, settings, faq, factory, words, out)
        if alert_id is None:
            return 1
        return 0 if args.no_follow else follow(factory, faq, alert_id, out)
    finally:
        engine.dispose()


def store(
    args: argparse.Namespace,
    settings: Settings,
    faq: Faq,
    factory: sessionmaker[Session],
    words: alert_texts.Words,
    out: TextIO,
) -> int | None:
    """Show the recipients and the texts, ask, and store the job; its number, or None if not sent."""
    sender = sender_id(args, settings)
    with factory() as session:
        villages = alerts.scope_villages(session, args.scope)
        if villages is None:
            raise CunjingError(f"{args.scope}: not a village code, a town name or all")
        by_lang = alerts.recipients_by_lang(session, [v.id for v in villages])
        groups = linked_groups.count_of(session, [v.id for v in villages])
    label = alert_texts.scope_label(faq, args.scope, villages, "en")
    count = sum(by_lang.values()) + groups
    print(
        f"Alert to {label}: {count} recipients ({by_lang.get('zh', 0)} Chinese, {by_lang.get('en', 0)} English"
        f"{f', {groups} linked village groups, one message each' if groups else ''})",
        file=out,
    )
    for lang in ("zh", "en"):
        if by_lang.get(lang):
            print(f"--- {lang} ---\n{alert_texts.villager_reply(faq, words, lang).text}", file=out)
    if groups:
        lang = settings.app.default_lang
        print(f"--- groups ({lang}) ---\n{alert_texts.group_reply(faq, words, lang).text}", file=out)
    if not count:
        print("Nobody to send it to: nothing stored.", file=out)
        return None
    if not args.yes and not confirmed(f"Send it to {count} villagers? [y/N] "):
        print("Not sent.", file=out)
        return None
    with factory.begin() as session:
        alert = alerts.create(
            session,
            scope=args.scope,
            text_zh=words.zh,
            text_en=words.en,
            photo=None,
            created_by=sender,
            progress_chat_id=None,
        )
        total = alerts.confirm(session, alert.id, [v.id for v in villages], group_lang=settings.app.default_lang)
    print(f"Alert #{alert.id} stored: {total} recipients. The running bot (cunjing run) sends it.", file=out)
    return alert.id


def confirmed(question: str) -> bool:
    """The person at the terminal answered yes. With no terminal (a script, a cron job) nobody can
    answer: the sender is told to pass --yes, rather than an alert going out unconfirmed."""
    no_answer = CunjingError("cannot ask for confirmation (no terminal, or its input ended): pass --yes to send")
    if sys.stdin is None or not sys.stdin.isatty():
        raise no_answer
    try:
        return input(question).strip().lower() in ("y", "yes")
    except EOFError:  # Ctrl-D
        raise no_answer from None


def sender_id(args: argparse.Namespace, settings: Settings) -> int:
    """The administrator this alert is from: `--as`, else the first of telegram.admins."""
    admins = settings.telegram.admins
    if args.admin is not None and admins and args.admin not in admins:
        raise CunjingError(f"--as {args.admin}: not one of telegram.admins {list(admins)}")
    return args.admin if args.admin is not None else (admins[0] if admins else 0)


def follow(factory: sessionmaker[Session], faq: Faq, alert_id: int, out: TextIO) -> int:
    """A progress bar on one line until the job is done."""
    started = last_change = time.monotonic()
    first: int | None = None
    seen = width = -1
    try:
        while True:
            with factory() as session:
                alert = alerts.get(session, alert_id)
                counts = alerts.counts(session, alert_id)
            assert alert is not None
            now = time.monotonic()
            first = counts.finished if first is None else first
            if counts.finished != seen:
                seen, last_change = counts.finished, now
            pace = (counts.finished - first) / (now - started) if now > started else 0.0
            text = line(faq, counts, pace, now - last_change > STALLED)
            width = max(width, len(text))
            print(f"\r{text:<{width}}", end="", file=out, flush=True)  # padded: a shorter line hides the last
            if alert.status != "sending":
                print(f"\nAlert #{alert_id} is {alert.status}.", file=out)
                return 0
            time.sleep(FOLLOW_EVERY)
    except KeyboardInterrupt:
        print(f"\nStopped following; alert #{alert_id} keeps going out with the bot.", file=out)
        return 0


def line(faq: Faq, counts: alerts.Counts, pace: float, stalled: bool) -> str:
    """[▓▓▓░░░ 25%] 1000/4000 · sent 990 · failed 2 · blocked 8 · left 3000 · about 1 min 40 s"""
    if stalled and counts.pending:
        when = "no progress: is the bot (cunjing run) running?"
    elif pace > 0 and counts.pending:
        when = f"about {alert_texts.duration(faq, 'en', counts.pending / pace)} to go"
    else:
        when = ""
    parts = [
        f"[{alert_texts.bar(counts.finished, counts.total)}] {counts.finished}/{counts.total}",
        f"sent {counts.sent}",
        f"failed {counts.failed}",
        f"blocked {counts.blocked}",
        f"left {counts.pending}",
    ]
    return " · ".join([*parts, when] if when else parts)
