"""What Telegram shows before anyone types: the command menu of each kind of chat and person, and
the bot's description (the first screen of a new user) and short description, in each language.

Telegram picks a chat's menu from the narrowest scope set: one chat (each officer's and admin's
private chat, each duty desk), then all groups, then all private chats, then the default. A menu
set for one chat is in the staff's language (`app.default_lang`), as their cards are."""

from __future__ import annotations

import logging

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from telegram.error import BadRequest

from bot.services import Services
from bot.store import roster

log = logging.getLogger(__name__)

LANGS = ("zh", "en")
VILLAGER = (
    "start", "help", "check", "officer", "request", "myrequests", "village", "alerts", "complain", "lang", "cancel",
)
OFFICER = ("queue", "accept", "reply", "done", "alert", "kiosk", "log", "duty", "help", "cancel")
ADMIN = ("report", "reload", "review", "alert", "complaints")
DESK = ("queue", "accept", "reply", "done", "check", "help")
GROUP = ("check", "help")  # any group: nothing personal is said there


def staff_menu(officer: bool, admin: bool, supervisor: bool = False) -> tuple[str, ...]:
    """An officer's, admin's or town supervisor's menu: theirs first, each command once."""
    names = (*(OFFICER if officer else VILLAGER), *(ADMIN if admin else ()), *(("complaints",) if supervisor else ()))
    return tuple(dict.fromkeys(names))


async def set_all(bot: Bot, services: Services) -> None:
    """Every menu and both descriptions, at each start (the roster may have changed)."""
    faq = services.knowledge().faq
    default = services.settings.app.default_lang

    def commands(names: tuple[str, ...], lang: str) -> list[BotCommand]:
        return [BotCommand(name, faq.message(f"commands.{name}", lang)) for name in names]

    async def everywhere(scope: BotCommandScope, names: tuple[str, ...]) -> None:
        for lang in LANGS:
            await bot.set_my_commands(commands(names, lang), scope=scope, language_code=lang)
        await bot.set_my_commands(commands(names, default), scope=scope)

    await everywhere(BotCommandScopeDefault(), VILLAGER)
    await everywhere(BotCommandScopeAllPrivateChats(), VILLAGER)
    await everywhere(BotCommandScopeAllGroupChats(), GROUP)
    with services.db() as session:
        officers = roster.officer_chats(session)
        towns = roster.all_towns(session)
        desks = sorted({t.duty_chat_id for t in towns if t.duty_chat_id is not None})
        supervisors = {t.supervisor_telegram_id for t in towns if t.supervisor_telegram_id is not None}
    admins = services.settings.telegram.admins
    for chat in sorted({*officers, *admins, *supervisors}):
        menu = staff_menu(chat in officers, chat in admins, chat in supervisors)
        await one_chat(bot, chat, commands(menu, default))
    for desk in desks:
        await one_chat(bot, desk, commands(DESK, default))
    for lang in (*LANGS, None):
        said = lang or default
        await bot.set_my_description(faq.message("bot.description", said), language_code=lang)
        await bot.set_my_short_description(faq.message("bot.short_description", said), language_code=lang)
    log.info("menus set: %d officers, %d admins, %d duty desks", len(officers), len(admins), len(desks))


async def one_chat(bot: Bot, chat_id: int, menu: list[BotCommand]) -> None:
    """One chat's menu. A chat Telegram does not know yet (an officer who never opened the bot, a
    desk the bot is not in) answers "chat not found": it keeps the wider menu, and the start goes on."""
    try:
        await bot.set_my_commands(menu, scope=BotCommandScopeChat(chat_id))
    except BadRequest as exc:
        log.warning("menu of chat %s not set: %s", chat_id, exc.message)
