"""`cunjing kiosk`: the talking kiosk, and its one-shot helpers --say, --ask, --render and --alerts."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path
from types import FrameType

from bot import localtime
from bot.core import language
from bot.services import Knowledge
from bot.settings import Settings, load_settings
from voice.alerts import AlertFeed
from voice.errors import SpeechError
from voice.kiosk import Kiosk
from voice.playlist import Playlist, load_playlist
from voice.prerender import render_all
from voice.tts import Tts

log = logging.getLogger(__name__)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("kiosk", help="the talking kiosk: spoken warnings and answers (or one of the helpers)")
    one = p.add_mutually_exclusive_group()
    one.add_argument("--say", metavar="TEXT", help="speak TEXT (into --out, else aloud)")
    one.add_argument("--ask", metavar="QUESTION", help="print the matched intent and answer, and speak its speech")
    one.add_argument("--render", metavar="DIR", type=Path, help="pre-render every warning and answer + index.json")
    one.add_argument("--alerts", action="store_true", help="list the officers' alerts in rotation")
    p.add_argument("--out", metavar="FILE.wav", type=Path, help="with --say or --ask: write a WAV file")
    p.add_argument("--lang", choices=("zh", "en"), help="the language to speak (default: the text's own)")
    p.add_argument("--all", action="store_true", help="with --alerts: expired alerts too")
    p.add_argument("--no-alerts", action="store_true", help="run without the database's officers' alerts")
    p.set_defaults(run=run, service=True)  # logs at app.log_level


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.out and not (args.say or args.ask):
        print("cunjing kiosk: --out goes with --say or --ask", file=sys.stderr)
        return 2
    if args.alerts:
        return list_alerts(settings, args.all)
    try:
        with Tts(settings.voice) as tts:
            if args.say:
                return say(tts, args.say, args.lang, args.out)
            if args.ask:
                return ask(tts, settings, args.ask, args.lang, args.out)
            if args.render:
                return render(tts, settings, args.render)
            return loop(tts, settings, with_alerts=not args.no_alerts)
    except SpeechError as exc:
        print(f"cunjing kiosk: {exc}", file=sys.stderr)
        return 1


def say(tts: Tts, text: str, lang: str | None, out: Path | None) -> int:
    if out is not None:
        info = tts.render(text, out, lang)
        print(f"{out}: {info.duration:.2f} s")
        return 0
    utterance = tts.speak(text, lang)
    utterance.wait()
    if utterance.error:
        raise SpeechError(utterance.error)
    return 0


def _playlist(settings: Settings, knowledge: Knowledge) -> Playlist:
    return load_playlist(settings.faq.dir, knowledge.faq.intents)


def ask(tts: Tts, settings: Settings, question: str, lang: str | None, out: Path | None) -> int:
    knowledge = Knowledge.load(settings)
    lang = lang or language.choose(question, None, settings.app.default_lang)
    match = knowledge.matcher.match(question)
    intent = knowledge.faq.get(match.intent)
    if intent is None:
        speech = _playlist(settings, knowledge).message("kiosk.fallback", lang)
        print(f"intent: none (score {match.score:.2f})\n{speech}")
    else:
        speech = intent.speech.get(lang)
        print(f"intent: {intent.id} (score {match.score:.2f})\n{intent.answer.get(lang)}")
    return say(tts, speech, lang, out)


def render(tts: Tts, settings: Settings, out: Path) -> int:
    knowledge = Knowledge.load(settings)
    tts.start()
    entries, failures = render_all(tts, _playlist(settings, knowledge), knowledge.faq, out)
    total = sum(e.duration for e in entries)
    print(f"{out}: {len(entries)} files, {total / 60:.1f} min of speech, index.json "
          f"({tts.engine.jobs} chunks synthesised, {tts.cache.hits} from the cache)")
    for failure in failures:
        print(f"  failed: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _alert_feed(settings: Settings) -> AlertFeed | None:
    """The database's alerts, when the database can be reached (a kiosk runs without one too)."""
    try:
        from bot.store import db
        from voice import alert_store

        read, spoken = alert_store.source(db.session_factory(db.make_engine(settings.database)))
    except Exception as exc:  # no driver, bad URL: the kiosk still speaks its warnings
        log.warning("officers' alerts unavailable: %s", exc)
        return None
    return AlertFeed(read, settings.kiosk.alerts_poll_seconds, spoken)


def _stop_on_signals() -> None:
    """Ctrl-C (SIGINT) and a service manager's stop (SIGTERM) end the kiosk: worker stopped, no traceback."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    # A process started with SIGINT ignored (a background job of a non-interactive shell: `make test &`,
    # a script, some CI runners) hands that on through exec, and Python then installs no Ctrl-C handler
    # at all: the kiosk ignored Ctrl-C and ran on (issue 12). Ctrl-C is how an operator stops it: ask for it.
    signal.signal(signal.SIGINT, signal.default_int_handler)


def loop(tts: Tts, settings: Settings, with_alerts: bool = True) -> int:
    _stop_on_signals()
    knowledge = Knowledge.load(settings)
    playlist = _playlist(settings, knowledge)
    tts.start()  # no engine: say what to install now, not at the first warning
    feed = _alert_feed(settings) if with_alerts else None
    kiosk = Kiosk(
        tts, knowledge, playlist, settings.kiosk,
        zone=localtime.zone(settings), alerts=feed, default_lang=settings.app.default_lang,
    )
    kiosk.run()
    return 0


def list_alerts(settings: Settings, include_expired: bool) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.store import db
    from voice import alert_store

    engine = db.make_engine(settings.database)
    try:
        with db.session_factory(engine)() as session:
            alerts = alert_store.list_alerts(session, include_expired=include_expired)
    except SQLAlchemyError as exc:
        print(f"cunjing kiosk: cannot read the alerts ({exc.__class__.__name__}); try `cunjing db upgrade`",
              file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    for alert in alerts:
        until = localtime.local(alert.expires_at, settings)
        print(f"{alert.id}\t{alert.lang}\tspoken {alert.spoken_count}\tuntil {until:%Y-%m-%d %H:%M}\t{alert.created_by}"
              f"\t{alert.text}")
    if not alerts:
        print("no alerts in rotation")
    return 0
