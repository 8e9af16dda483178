"""Officers' and duty desks' handlers: request commands and the buttons on request cards.

Who may act on which request is decided in the core (bot/core/officers.py), so every refusal
is the same polite answer whatever the channel."""

from __future__ import annotations

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.channels.telegram.runtime import handle

COMMANDS = ("accept", "reply", "done", "queue", "kiosk", "log", "duty", "photo")
BUTTONS = r"^(acc|ask|done):\d+$"


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler(list(COMMANDS), handle),
        CallbackQueryHandler(handle, pattern=BUTTONS),
        # in a duty desk group, a reply to a request card is relayed to the villager
        MessageHandler(filters.ChatType.GROUPS & filters.REPLY & ~filters.COMMAND, handle),
    ]
