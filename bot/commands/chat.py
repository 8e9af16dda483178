"""`cunjing chat`: talk to the bot in the terminal, as a villager."""

from __future__ import annotations

import argparse
import sys

from bot.channels.console import ConsoleChat
from bot.core.conversation import Conversation
from bot.core.profiles import MemoryProfiles
from bot.core.types import text_message
from bot.services import Knowledge
from bot.settings import Settings, load_settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help="a villager's conversation in the terminal")
    p.add_argument("--village", help="the village code to register, as /start CODE does")
    p.add_argument("--lang", choices=("zh", "en"), help="the language of prompts and buttons")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return chat(load_settings(), args.village, args.lang)


def chat(settings: Settings, village: str | None = None, lang: str | None = None) -> int:
    knowledge = Knowledge.load(settings)
    conversation = Conversation(lambda: knowledge, MemoryProfiles(), lang or settings.app.default_lang)
    console = ConsoleChat(conversation.handle)
    if village:
        console.render(conversation.handle(text_message(console.user_id, console.user_id, f"/start {village}")))
    if lang:
        conversation.handle(text_message(console.user_id, console.user_id, f"/lang {lang}"))
    console.run(sys.stdin, knowledge.faq.message("console.banner", lang or settings.app.default_lang))
    return 0
