"""Villagers' handlers: their commands, the buttons of answers, and every kind of message."""

from __future__ import annotations

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.channels.telegram.runtime import handle

COMMANDS = ("start", "help", "village", "officer", "request", "myrequests", "check", "lang", "cancel")


def handlers() -> list[BaseHandler]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler(list(COMMANDS), handle),
        CallbackQueryHandler(handle),  # answer buttons; the core turns an unknown one into a clear reply
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, handle),
        # text, photos, stickers, voice, locations, contacts...: the core answers each kind
        MessageHandler(private & ~filters.COMMAND, handle),
        MessageHandler(private & filters.COMMAND, handle),  # unknown commands get a clear reply
    ]
