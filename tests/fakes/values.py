"""The fake Bot API's vocabulary: the token, update types, send methods, error answers and parameter reading."""

from __future__ import annotations

import json
from typing import Any

from ._http import HttpResponse

DEFAULT_TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz0123"

ALL_UPDATE_TYPES = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)
#: What Telegram delivers when allowed_updates was never set or set to [].
DEFAULT_ALLOWED_UPDATES = frozenset(ALL_UPDATE_TYPES) - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}

#: Methods that put a new message into a chat (these are rate-limited and counted as sends).
SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendAudio",
        "sendVoice",
        "sendVideo",
        "sendAnimation",
        "sendVideoNote",
        "sendSticker",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendDice",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
    }
)
#: What a message can be, in the order ``SentMessage.kind`` looks for it.
MESSAGE_KINDS = (
    "text",
    "photo",
    "document",
    "voice",
    "audio",
    "video",
    "animation",
    "video_note",
    "sticker",
    "location",
    "venue",
    "contact",
    "dice",
)
#: The fields of a Message that copyMessage and forwardMessage carry over.
_CONTENT_KEYS = frozenset({*MESSAGE_KINDS, "entities", "caption", "caption_entities"})
_MEDIA_KINDS = {
    "sendPhoto": "photo",
    "sendDocument": "document",
    "sendAudio": "audio",
    "sendVoice": "voice",
    "sendVideo": "video",
    "sendAnimation": "animation",
    "sendVideoNote": "video_note",
    "sendSticker": "sticker",
}
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "link_preview_options",
        "media",
        "results",
        "menu_button",
        "permissions",
        "options",
        "question_entities",
        "explanation_entities",
        "reaction",
        "prices",
        "suggested_post_parameters",
        "message_ids",
        "input_message_content",
        "button",
    }
)
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_EXT = {
    "photo": "jpg",
    "voice": "oga",
    "audio": "mp3",
    "video": "mp4",
    "animation": "mp4",
    "video_note": "mp4",
    "sticker": "webp",
    "document": "bin",
}
_MIME = {
    "photo": "image/jpeg",
    "voice": "audio/ogg",
    "audio": "audio/mpeg",
    "video": "video/mp4",
    "animation": "video/mp4",
    "video_note": "video/mp4",
    "sticker": "image/webp",
    "document": "application/octet-stream",
}
# Tiny stand-ins for media a fake user sends (content is never decoded by the fake).
FAKE_JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
FAKE_OGG = b"OggS" + bytes(60)


class ApiError(Exception):
    """An error answer of the Bot API (becomes ``{"ok": false, ...}`` with that HTTP status)."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _error_answer(err: ApiError) -> HttpResponse:
    """The HTTP answer for an error: ``{"ok": false, "error_code": ..., "description": ...}``."""
    return HttpResponse.json(err.payload(), err.status)


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def _chat_key(value: Any) -> int | str | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    text = str(value)
    try:
        return int(text)
    except ValueError:
        return text


def _int(value: Any, default: int | None = None) -> int | None:
    if value is None or value == "":
        return default
    return int(value)


def _float(value: Any, default: float = 0.0) -> float:
    if value is None or value == "":
        return default
    return float(value)


def _bool(value: Any) -> bool:
    return value in (True, 1, "true", "True", "1")


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj))


def _message_key(message: dict[str, Any]) -> tuple[int, int]:
    """Where a Message dict is kept: (chat id, message id)."""
    return int(message["chat"]["id"]), int(message["message_id"])
