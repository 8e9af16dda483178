"""`cunjing chat`: talk to the bot in the terminal, as a villager (or, with --user, as an officer).

The console runs on a demo database of its own, beside the configured file, unless --live-db asks
for the configured one. Either way it sends only the messages addressed to the user it plays:
other people's stay pending in the outbox for the bot that serves them. On the demo database,
what a turn queued for someone else is shown as a preview, masked, and left in the queue.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.console import ConsoleChat
from bot.core.conversation import Conversation
from bot.core.dispatch import Delivery, Dispatcher, Sent
from bot.core.types import Incoming, Outcome, Reply, text_message
from bot.logs import mask
from bot.services import KnowledgeHolder, Services
from bot.settings import DatabaseSettings, Settings, load_settings
from bot.store import db, demo, outbox

DEMO_DATABASE = "console-demo.sqlite3"  # the console's own database, in the configured file's directory


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help="a villager's conversation in the terminal (its own demo database and roster)")
    p.add_argument("--village", help="the village code to register, as /start CODE does (demo: QS001, BS001, ...)")
    p.add_argument("--lang", choices=("zh", "en"), help="the language of prompts and buttons")
    p.add_argument("--user", type=int, default=1, help="your Telegram-like user id (demo officers: 1001-1004)")
    p.add_argument(
        "--live-db",
        action="store_true",
        help="use the configured database instead of the console's demo one (only your own messages are taken)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return chat(load_settings(), args.village, args.lang, args.user, live_db=args.live_db)


def console_database(settings: Settings, live_db: bool = False) -> DatabaseSettings:
    """The configured database when asked for; else the demo SQLite file beside the configured one."""
    if live_db:
        return settings.database
    return replace(settings.database, url="", path=settings.database.path.with_name(DEMO_DATABASE))


def open_services(settings: Settings, live_db: bool = False) -> Services:
    """The console's database (migrated; the demo one with the demo roster when empty) and the FAQ."""
    settings = replace(settings, database=console_database(settings, live_db))
    engine = db.make_engine(settings.database)
    db.upgrade(engine)
    factory = db.session_factory(engine)
    if not live_db:  # the fictional roster never goes into a live database
        demo.load_demo(factory)
    return Services(settings, KnowledgeHolder(settings), factory)


def rendered(reply: Reply, indent: str = "") -> str:
    """A reply as terminal lines: its text, then each row of buttons (not pressable here)."""
    text = reply.text if not reply.photo else f"[photo] {reply.text}"
    lines = [indent + line for line in text.split("\n")]
    lines += [f"{indent}  {' | '.join(b.label for b in row)}" for row in reply.buttons]
    return "\n".join(lines) + "\n"


class ConsoleDelivery:
    """Messages the core queued for the user the console plays, shown in the terminal as sent."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.ids = itertools.count(1)

    async def __call__(self, chat_id: int, reply: Reply) -> Delivery:
        self.out.write(rendered(reply))
        self.out.flush()
        return Sent(next(self.ids))


class QueuedPreview:
    """What the console's turns queued for other people: shown masked, read only, never sent."""

    def __init__(self, factory: sessionmaker[Session], out: TextIO, me: int, header: Callable[[int], str]) -> None:
        self.factory = factory
        self.out = out
        self.me = me
        self.header = header  # the line above a preview, for the chat it is queued for
        with factory() as session:
            self.after = outbox.last_id(session)  # rows from before this session are not shown

    def show(self) -> None:
        with self.factory() as session:
            rows = outbox.pending_after(session, self.after, not_chats={self.me})
        for row in rows:
            self.after = max(self.after, row.id)
            self.out.write(f"  {self.header(row.chat_id)}\n")
            self.out.write(mask(rendered(outbox.reply(row.payload), indent="    ")))
        self.out.flush()


def chat(
    settings: Settings, village: str | None = None, lang: str | None = None, user: int = 1, *, live_db: bool = False
) -> int:
    services = open_services(settings, live_db)
    conversation = Conversation(services)
    faq, language = services.knowledge().faq, lang or settings.app.default_lang
    dispatcher = Dispatcher(services.db, ConsoleDelivery(sys.stdout), per_chat_interval=0, only_chats={user})
    preview = None
    if live_db:
        where = make_url(services.settings.database.effective_url).render_as_string(hide_password=True)
        print(faq.message("console.live_db", language, db=where, chat=user), file=sys.stderr)
    else:
        preview = QueuedPreview(
            services.db, sys.stdout, user, lambda chat: faq.message("console.queued_for", language, chat=chat)
        )

    def handle(msg: Incoming) -> Outcome:
        outcome = conversation.handle(msg)
        if outcome.queued:
            asyncio.run(dispatcher.drain())
            if preview:
                preview.show()
        return outcome

    console = ConsoleChat(handle, user_id=user)
    if lang:
        handle(text_message(user, user, f"/lang {lang}"))
    if village:
        console.render(handle(text_message(user, user, f"/start {village}")))
    asyncio.run(dispatcher.drain())  # what was left for this user from an earlier session
    unreadable = faq.message("console.unreadable", language)  # stdin as bytes: a bad line cannot stop the chat
    console.run(sys.stdin.buffer, faq.message("console.banner", language), unreadable)
    return 0
