"""Villagers' handlers: their commands, the buttons of answers, and every kind of message.

Commands are taken in every chat: the core decides what may be said in a group (bot/core/groups.py)."""

from __future__ import annotations

from telegram.ext import BaseHandler, CallbackQueryHandler, ChatMemberHandler, CommandHandler, MessageHandler, filters

from bot.channels.telegram.runtime import handle

# /linkgroup and /unlinkgroup are said in a village group by its officer or an admin (the core checks who)
COMMANDS = ("start", "help", "village", "officer", "request", "myrequests", "check", "lang", "cancel",
            "linkgroup", "unlinkgroup", "complain", "complaints")


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
        # in a group, every message that is not a command: a reply to the bot or a forward gets
        # "privately, please"; in a linked village group each post is checked for scams. Telegram sends
        # the group's own conversation only to a bot that is its admin or has privacy mode off
        # (README: "A guard in village groups"); else just replies to the bot and forwards to it.
        MessageHandler(filters.ChatType.GROUPS & ~filters.COMMAND & ~filters.UpdateType.EDITED, handle),
    ]
