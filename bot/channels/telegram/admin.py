"""Administrators' handlers. The core checks `telegram.admins` and refuses others politely."""

from __future__ import annotations

from telegram.ext import BaseHandler, CommandHandler

from bot.channels.telegram.runtime import handle

COMMANDS = ("reload", "review", "report", "groups")


def handlers() -> list[BaseHandler]:
    return [CommandHandler(list(COMMANDS), handle)]
