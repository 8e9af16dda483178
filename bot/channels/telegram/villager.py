"""Villagers' handlers: their commands, the buttons of answers, and every kind of message.

Commands are taken in every chat: the core decides what may be said in a group (bot/core/groups.py)."""

from __future__ import annotations

from telegram.ext import BaseHandler, CallbackQueryHandler, ChatMemberHandler, CommandHandler, MessageHandler, filters

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
        # the bot added to a group (it greets it) or removed; in a private chat: blocked or unblocked
        ChatMemberHandler(handle, ChatMemberHandler.MY_CHAT_MEMBER),
        # in a group, a reply to the bot's message or a forward: the core says "privately, please"
        MessageHandler(filters.ChatType.GROUPS & (filters.REPLY | filters.FORWARDED) & ~filters.COMMAND, handle),
    ]
