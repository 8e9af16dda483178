"""`cunjing chat`: talk to the bot in the terminal, as a villager (or, with --user, as an officer)."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
from typing import TextIO

from bot.channels.console import ConsoleChat
from bot.core.conversation import Conversation
from bot.core.dispatch import Delivery, Dispatcher, Sent
from bot.core.types import Incoming, Outcome, Reply, text_message
from bot.services import KnowledgeHolder, Services
from bot.settings import Settings, load_settings
from bot.store import db, demo


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help="a villager's conversation in the terminal (embedded database, demo roster)")
    p.add_argument("--village", help="the village code to register, as /start CODE does (demo: QS001, BS001, ...)")
    p.add_argument("--lang", choices=("zh", "en"), help="the language of prompts and buttons")
    p.add_argument("--user", type=int, default=1, help="your Telegram-like user id (demo officers: 1001-1004)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return chat(load_settings(), args.village, args.lang, args.user)


def open_services(settings: Settings) -> Services:
    """The database (migrated, with the demo roster when empty) and the FAQ."""
    engine = db.make_engine(settings.database)
    db.upgrade(engine)
    factory = db.session_factory(engine)
    demo.load_demo(factory)
    return Services(settings, KnowledgeHolder(settings), factory)


class ConsoleDelivery:
    """Messages the core queued for other people, shown in the terminal as sent."""

    def __init__(self, out: TextIO, me: int) -> None:
        self.out = out
        self.me = me
        self.ids = itertools.count(1)

    async def __call__(self, chat_id: int, reply: Reply) -> Delivery:
        who = "" if chat_id == self.me else f"  → [chat {chat_id}] "
        text = reply.text if not reply.photo else f"[photo] {reply.text}"
        self.out.write(f"{who}{text.replace(chr(10), chr(10) + ' ' * len(who))}\n")
        for row in reply.buttons:
            self.out.write(f"{' ' * len(who)}  {' | '.join(b.label for b in row)}\n")
        return Sent(next(self.ids))


def chat(settings: Settings, village: str | None = None, lang: str | None = None, user: int = 1) -> int:
    services = open_services(settings)
    conversation = Conversation(services)
    dispatcher = Dispatcher(services.db, ConsoleDelivery(sys.stdout, user), per_chat_interval=0)

    def handle(msg: Incoming) -> Outcome:
        outcome = conversation.handle(msg)
        if outcome.queued:
            asyncio.run(dispatcher.drain())
        return outcome

    console = ConsoleChat(handle, user_id=user)
    if lang:
        handle(text_message(user, user, f"/lang {lang}"))
    if village:
        console.render(handle(text_message(user, user, f"/start {village}")))
    asyncio.run(dispatcher.drain())  # anything left from an earlier session
    console.run(sys.stdin, services.knowledge().faq.message("console.banner", lang or settings.app.default_lang))
    return 0
