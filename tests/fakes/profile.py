"""The bot's profile in the fake Bot API (getMe, commands, descriptions) and the small methods about chats
and callback queries."""

from __future__ import annotations

from typing import Any

from .records import ApiCall
from .state import ApiState
from .values import _bad, _int


class Profile(ApiState):
    """What was set with setMyCommands and setMyDescription."""

    def commands_for(self, language_code: str = "", scope: str = "default") -> list[str]:
        """Command names set with setMyCommands for that scope type and language."""
        return [c["command"] for c in self.commands.get((scope, language_code), [])]

    def description_for(self, language_code: str = "", *, short: bool = False) -> str:
        """The description (or short description) set with setMyDescription for that language."""
        return self.descriptions.get(("short_description" if short else "description", language_code), "")


async def _get_me(api: Profile, call: ApiCall) -> Any:
    return api.bot_user


def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope") or {}
    kind = scope.get("type", "default") if isinstance(scope, dict) else "default"
    if isinstance(scope, dict) and "chat_id" in scope:
        kind = f"{kind}:{scope['chat_id']}"
    if isinstance(scope, dict) and "user_id" in scope:
        kind = f"{kind}:{scope['user_id']}"
    return kind, str(params.get("language_code") or "")


async def _set_my_commands(api: Profile, call: ApiCall) -> Any:
    commands = call.params.get("commands")
    if not isinstance(commands, list):
        raise _bad("commands must be a JSON array")
    for command in commands:
        name = str(command.get("command", ""))
        if (
            not (1 <= len(name) <= 32)
            or not name.replace("_", "").isalnum()
            or name.lower() != name
            or not name.isascii()
        ):
            raise _bad("BOT_COMMAND_INVALID")
        if not (1 <= len(str(command.get("description", ""))) <= 256):
            raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
    api.commands[_commands_key(call.params)] = commands
    return True


async def _get_my_commands(api: Profile, call: ApiCall) -> Any:
    return api.commands.get(_commands_key(call.params), [])


async def _delete_my_commands(api: Profile, call: ApiCall) -> Any:
    api.commands.pop(_commands_key(call.params), None)
    return True


def _set_description(kind: str, limit: int) -> Any:
    """setMyDescription / setMyShortDescription: per language; an empty text clears it."""

    async def handler(api: Profile, call: ApiCall) -> Any:
        text = str(call.params.get(kind) or "")
        if len(text) > limit:
            raise _bad(f"{kind.upper()}_INVALID")
        key = (kind, str(call.params.get("language_code") or ""))
        if text:
            api.descriptions[key] = text
        else:
            api.descriptions.pop(key, None)
        return True

    return handler


def _get_description(kind: str) -> Any:
    async def handler(api: Profile, call: ApiCall) -> Any:
        return {kind: api.descriptions.get((kind, str(call.params.get("language_code") or "")), "")}

    return handler


async def _answer_callback_query(api: Profile, call: ApiCall) -> Any:
    query_id = str(call.params.get("callback_query_id", ""))
    if query_id not in api._open_queries or query_id in api.callback_answers:
        raise _bad("query is too old and response timeout expired or query ID is invalid")
    text = call.params.get("text")
    if text is not None and len(str(text)) > 200:
        raise _bad("MESSAGE_TOO_LONG")
    api.callback_answers[query_id] = call.params
    return True


async def _get_chat(api: Profile, call: ApiCall) -> Any:
    chat = api._chat(call.params.get("chat_id"))
    return {
        **chat,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": True,
            "limited_gifts": True,
            "unique_gifts": True,
            "premium_subscription": True,
            "gifts_from_channels": True,
        },
    }


async def _get_chat_member(api: Profile, call: ApiCall) -> Any:
    user_id = _int(call.params.get("user_id")) or 0
    user = api.users.get(user_id)
    if user is None:
        raise _bad("user not found")
    return {"status": "member", "user": user.user_dict}


async def _close(api: Profile, call: ApiCall) -> Any:
    api.closed = True
    return True


async def _log_out(api: Profile, call: ApiCall) -> Any:
    api.logged_out = True
    return True


#: The Bot API methods about the bot's profile, chats and callback queries, by name.
METHODS: dict[str, Any] = {
    "getMe": _get_me,
    "setMyCommands": _set_my_commands,
    "getMyCommands": _get_my_commands,
    "deleteMyCommands": _delete_my_commands,
    "setMyDescription": _set_description("description", 512),
    "setMyShortDescription": _set_description("short_description", 120),
    "getMyDescription": _get_description("description"),
    "getMyShortDescription": _get_description("short_description"),
    "answerCallbackQuery": _answer_callback_query,
    "getChat": _get_chat,
    "getChatMember": _get_chat_member,
    "close": _close,
    "logOut": _log_out,
}
