"""A fake Telegram Bot API server for end-to-end tests of the real python-telegram-bot Application.

The fake listens on 127.0.0.1 (a free port) inside the test's event loop and speaks the Bot API the
way PTB uses it: ``POST {base_url}{token}/{method}`` with form-encoded parameters (objects such as
``reply_markup`` JSON-encoded inside form fields) or multipart bodies for uploads, answering
``{"ok": true, "result": ...}`` with complete Telegram objects.

Typical use::

    async with FakeBotApi() as api:
        app = api.app_builder().build()
        app.add_handler(CommandHandler("start", start))
        async with api.running(app):
            alice = api.user(1001, "Alice")
            await alice.send("/start QS001")
            assert alice.replies == ["欢迎！"]
            await alice.press("报警")
            assert alice.last.buttons == [["是", "否"]]

``alice.send`` queues an update and returns once the bot has fetched it, processed it and gone
quiet (see :meth:`FakeBotApi.settle`). Everything the bot does is recorded: ``api.calls`` (every
request), ``api.messages`` (every message the bot sent, as :class:`SentMessage`), ``api.counts``.
Failures are injected with :meth:`FakeBotApi.fail_next`, :meth:`FakeBotApi.block` and
``FakeBotApi(enforce_limits=True)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import math
import time
from collections import Counter, defaultdict, deque
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from ._http import HttpRequest, HttpResponse, HttpServer, UploadedFile
from ._text import EntityParseError, detect_entities, plain_text, utf16_len

AnyApp = Application[Any, Any, Any, Any, Any, Any]

DEFAULT_TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz0123"

ALL_UPDATE_TYPES = (
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages", "message_reaction",
    "message_reaction_count", "inline_query", "chosen_inline_result", "callback_query",
    "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer",
    "my_chat_member", "chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
)
#: What Telegram delivers when allowed_updates was never set or set to [].
DEFAULT_ALLOWED_UPDATES = frozenset(ALL_UPDATE_TYPES) - {
    "chat_member", "message_reaction", "message_reaction_count",
}

#: Methods that put a new message into a chat (these are rate-limited and counted as sends).
SEND_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendAudio", "sendVoice", "sendVideo",
    "sendAnimation", "sendVideoNote", "sendSticker", "sendLocation", "sendVenue", "sendContact",
    "sendDice", "sendMediaGroup", "copyMessage", "forwardMessage",
})
_MEDIA_KINDS = {
    "sendPhoto": "photo", "sendDocument": "document", "sendAudio": "audio", "sendVoice": "voice",
    "sendVideo": "video", "sendAnimation": "animation", "sendVideoNote": "video_note",
    "sendSticker": "sticker",
}
_JSON_FIELDS = frozenset({
    "reply_markup", "reply_parameters", "entities", "caption_entities", "allowed_updates",
    "commands", "scope", "link_preview_options", "media", "results", "menu_button", "permissions",
    "options", "question_entities", "explanation_entities", "reaction", "prices",
    "suggested_post_parameters", "message_ids", "input_message_content", "button",
})
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_EXT = {"photo": "jpg", "voice": "oga", "audio": "mp3", "video": "mp4", "animation": "mp4",
        "video_note": "mp4", "sticker": "webp", "document": "bin"}
_MIME = {"photo": "image/jpeg", "voice": "audio/ogg", "audio": "audio/mpeg", "video": "video/mp4",
         "animation": "video/mp4", "video_note": "video/mp4", "sticker": "image/webp",
         "document": "application/octet-stream"}
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


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


# ---------------------------------------------------------------------------------------- records


@dataclass
class ApiCall:
    """One request the bot made. ``status`` is the HTTP status answered (0: dropped connection)."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    at: float
    status: int = 0
    result: Any = None
    description: str | None = None
    #: Messages this call created or edited.
    messages: list[SentMessage] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def message(self) -> SentMessage | None:
        return self.messages[0] if self.messages else None

    @property
    def chat_id(self) -> int | str | None:
        return _chat_key(self.params.get("chat_id"))


@dataclass
class SentMessage:
    """A message the bot sent (or copied/forwarded), as Telegram stores it.

    ``raw`` is the complete Telegram Message dict, kept current on edits; ``params`` what the bot
    sent. ``text`` is what the user sees (HTML/Markdown markup removed), ``markup_text`` the text as
    sent, ``reply_markup`` the parsed markup (inline or reply keyboard, or a remove/force-reply).
    """

    raw: dict[str, Any]
    method: str
    params: dict[str, Any]
    sent_at: float
    reply_markup: dict[str, Any] | None = None
    upload: UploadedFile | None = None
    edits: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False

    @property
    def message_id(self) -> int:
        return int(self.raw["message_id"])

    @property
    def chat_id(self) -> int:
        return int(self.raw["chat"]["id"])

    @property
    def date(self) -> int:
        return int(self.raw["date"])

    @property
    def text(self) -> str | None:
        """Text or caption, as the user sees it."""
        return self.raw.get("text", self.raw.get("caption"))

    @property
    def markup_text(self) -> str | None:
        return self.params.get("text", self.params.get("caption"))

    @property
    def parse_mode(self) -> str | None:
        return self.params.get("parse_mode")

    @property
    def kind(self) -> str:
        for key in ("text", "photo", "document", "voice", "audio", "video", "animation", "video_note",
                    "sticker", "location", "venue", "contact", "dice"):
            if key in self.raw:
                return key
        return "unknown"

    @property
    def summary(self) -> str:
        """Text/caption, else ``[kind]`` (what ``user.replies`` lists)."""
        text = self.text
        return text if text is not None else f"[{self.kind}]"

    @property
    def reply_parameters(self) -> dict[str, Any] | None:
        return self.params.get("reply_parameters")

    @property
    def reply_to_message_id(self) -> int | None:
        reply = self.raw.get("reply_to_message")
        return int(reply["message_id"]) if reply else None

    @property
    def photo(self) -> str | None:
        """file_id of the largest photo size, if this is a photo."""
        sizes = self.raw.get("photo")
        return sizes[-1]["file_id"] if sizes else None

    @property
    def document(self) -> dict[str, Any] | None:
        return self.raw.get("document")

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        markup = self.raw.get("reply_markup") or {}
        return markup.get("inline_keyboard") or []

    @property
    def buttons(self) -> list[list[str]]:
        """Labels of the keyboard (inline if any, else a reply keyboard), row by row."""
        if self.inline_keyboard:
            return [[b["text"] for b in row] for row in self.inline_keyboard]
        rows = (self.reply_markup or {}).get("keyboard") or []
        return [[b if isinstance(b, str) else b.get("text", "") for b in row] for row in rows]

    @property
    def button_data(self) -> dict[str, str | None]:
        """Inline button label -> callback_data (url buttons map to None)."""
        return {b["text"]: b.get("callback_data") for row in self.inline_keyboard for b in row}

    def find_button(self, label: str) -> dict[str, Any] | None:
        """An inline button by exact label, exact callback_data, or a unique label substring."""
        flat = [b for row in self.inline_keyboard for b in row]
        for button in flat:
            if button.get("text") == label:
                return button
        for button in flat:
            if button.get("callback_data") == label:
                return button
        partial = [b for b in flat if label in b.get("text", "")]
        return partial[0] if len(partial) == 1 else None

    def __repr__(self) -> str:
        extra = f" buttons={self.buttons}" if self.buttons else ""
        return f"<SentMessage #{self.message_id} to {self.chat_id} {self.method}: {self.summary!r}{extra}>"


@dataclass
class Interaction:
    """What happened after one injected update (returned by the FakeUser actions)."""

    update: dict[str, Any]
    calls: list[ApiCall] = field(default_factory=list)
    chat_id: int | None = None

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def message(self) -> dict[str, Any] | None:
        """The user's message (for send/reply_to/forward/... and edit)."""
        return self.update.get("message") or self.update.get("edited_message")

    @property
    def message_id(self) -> int:
        assert self.message is not None, "this interaction carried no message"
        return int(self.message["message_id"])

    @property
    def sent(self) -> list[SentMessage]:
        """Every message the bot sent meanwhile, to any chat."""
        return [m for c in self.calls if c.ok and c.method in SEND_METHODS for m in c.messages]

    @property
    def replies(self) -> list[SentMessage]:
        """Messages the bot sent meanwhile to the chat this update came from."""
        return [m for m in self.sent if self.chat_id is None or m.chat_id == self.chat_id]

    @property
    def texts(self) -> list[str]:
        return [m.summary for m in self.replies]

    @property
    def edited(self) -> list[SentMessage]:
        return [m for c in self.calls if c.ok and c.method.startswith("editMessage") for m in c.messages]

    @property
    def answer(self) -> dict[str, Any] | None:
        """answerCallbackQuery parameters for this callback query, if the bot answered it."""
        query = self.update.get("callback_query")
        for call in self.calls:
            if call.ok and call.method == "answerCallbackQuery" and query and \
                    call.params.get("callback_query_id") == query["id"]:
                return call.params
        return None

    def __repr__(self) -> str:
        kind = next((k for k in self.update if k != "update_id"), "?")
        body = self.update.get(kind) or {}
        what = body.get("text") or body.get("data") or body.get("caption") or ""
        return f"<Interaction #{self.update.get('update_id')} {kind} {what!r} -> replies {self.texts}>"


@dataclass
class FileEntry:
    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_path: str
    mime_type: str | None = None
    file_name: str | None = None


@dataclass
class _Pending:
    update: dict[str, Any]
    seq: int
    delivered: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def type(self) -> str:
        return next(k for k in self.update if k != "update_id")


@dataclass
class _Fault:
    method: str
    remaining: int
    status: int | None
    retry_after: int | None
    description: str | None
    disconnect: bool
    delay: float | None
    chat_id: int | str | None
    carried_out: bool = False


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


# ------------------------------------------------------------------------------------ fake people


class _ChatView:
    api: FakeBotApi
    id: int

    @property
    def messages(self) -> list[SentMessage]:
        """Messages the bot sent to this chat (deleted ones left out), in order."""
        return [m for m in self.api.messages if m.chat_id == self.id and not m.deleted]

    @property
    def replies(self) -> list[str]:
        """Texts (captions, or ``[kind]``) of every message the bot sent to this chat, in order."""
        return [m.summary for m in self.messages]

    @property
    def last(self) -> SentMessage | None:
        messages = self.messages
        return messages[-1] if messages else None


class FakeChat(_ChatView):
    """A group/supergroup/channel. Users write there with ``user.send(..., chat=grp)``.

    The bot is a member unless made with ``member=False`` (then ``add_bot`` brings it in, with the
    ``my_chat_member`` update Telegram sends). Like Telegram with the bot's privacy mode on (the
    default, see BotFather), the bot receives only commands, replies to its own messages and
    mentions of it, unless it is an administrator of the group or privacy mode is off
    (``FakeBotApi(privacy_mode=False)``); other messages stay in the group (``unseen``)."""

    def __init__(self, api: FakeBotApi, chat_id: int, title: str, type: str = "supergroup",
                 username: str | None = None, member: bool = True, admin: bool = False) -> None:
        self.api = api
        self.id = chat_id
        self.title = title
        self.type = type
        self.username = username
        self.member = member
        self.admin = admin
        self.unseen: list[dict[str, Any]] = []  # members' messages the bot did not receive

    async def add_bot(self, by: FakeUser, *, admin: bool = False, settle: bool = True) -> Interaction:
        """``by`` adds the bot to this group (as an administrator with ``admin=True``)."""
        old = "left" if not self.member else ("administrator" if self.admin else "member")
        self.member, self.admin = True, admin
        return await self.api._member_update(self.chat_dict, by, old, "administrator" if admin else "member",
                                             settle)

    async def remove_bot(self, by: FakeUser, *, settle: bool = True) -> Interaction:
        """``by`` removes the bot from this group: it can no longer write there."""
        old = "administrator" if self.admin else "member"
        self.member, self.admin = False, False
        return await self.api._member_update(self.chat_dict, by, old, "left", settle)

    def sees(self, message: dict[str, Any]) -> bool:
        """Whether Telegram delivers a member's message in this chat to the bot."""
        if not self.member:
            return False
        if self.type == "channel" or self.admin or not self.api.privacy_mode:
            return True
        text = message.get("text") or message.get("caption") or ""
        replied = message.get("reply_to_message") or {}
        return (
            text.startswith("/")
            or (replied.get("from") or {}).get("id") == self.api.bot_id
            or f"@{self.api.bot_user['username']}".lower() in text.lower()
        )

    @property
    def chat_dict(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": self.type, "title": self.title}
        if self.username:
            chat["username"] = self.username
        return chat


class FakeUser(_ChatView):
    """A Telegram user talking to the bot in a private chat (chat id == user id)."""

    def __init__(self, api: FakeBotApi, user_id: int, first_name: str, language_code: str | None = "zh",
                 last_name: str | None = None, username: str | None = None) -> None:
        self.api = api
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code

    def __repr__(self) -> str:
        return f"<FakeUser {self.id} {self.first_name!r}>"

    @property
    def user_dict(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                user[key] = getattr(self, key)
        return user

    @property
    def chat_dict(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat

    # -- actions ------------------------------------------------------------------------------

    async def _post(self, content: dict[str, Any], chat: FakeChat | None, settle: bool,
                    **extra: Any) -> Interaction:
        chat_dict = chat.chat_dict if chat else self.chat_dict
        message = {
            "message_id": self.api._next_message_id(),
            "date": int(time.time()),
            "chat": chat_dict,
            "from": self.user_dict,
            **extra,
            **content,
        }
        self.api._store_message(message)
        if chat is not None and not chat.sees(message):
            chat.unseen.append(message)  # privacy mode, or the bot is not in the group: no update
            return Interaction({"update_id": 0, "message": message}, chat_id=chat.id)
        return await self.api._interact({"message": message}, settle=settle)

    async def block_bot(self, *, settle: bool = True) -> Interaction:
        """The user blocks the bot: sends to them answer 403; the bot gets ``my_chat_member``."""
        self.api.block(self.id)
        return await self.api._member_update(self.chat_dict, self, "member", "kicked", settle)

    async def unblock_bot(self, *, settle: bool = True) -> Interaction:
        """The user unblocks the bot (restarts it)."""
        self.api.unblock(self.id)
        return await self.api._member_update(self.chat_dict, self, "kicked", "member", settle)

    async def send(self, text: str, *, chat: FakeChat | None = None,
                   entities: list[dict[str, Any]] | None = None, settle: bool = True) -> Interaction:
        """A text message (entities such as bot_command detected like Telegram does)."""
        content: dict[str, Any] = {"text": text}
        found = detect_entities(text) if entities is None else entities
        if found:
            content["entities"] = found
        return await self._post(content, chat, settle)

    async def reply_to(self, message: SentMessage | Interaction | dict[str, Any] | int, text: str, *,
                       chat: FakeChat | None = None, settle: bool = True) -> Interaction:
        """A text message replying to an earlier message (the bot's or the user's own)."""
        chat_id = chat.id if chat else self.id
        original = self.api._resolve_message(message, chat_id)
        reply = copy.deepcopy(original)
        reply.pop("reply_to_message", None)
        content: dict[str, Any] = {"text": text, "reply_to_message": reply}
        if found := detect_entities(text):
            content["entities"] = found
        return await self._post(content, chat, settle)

    async def forward(self, text: str, origin: FakeUser | FakeChat | str | dict[str, Any], *,
                      settle: bool = True, date: int | None = None) -> Interaction:
        """A forwarded text message. ``origin``: a FakeUser (type user), a string (hidden_user:
        the sender's name), a FakeChat (channel -> type channel, else type chat) or a raw
        MessageOrigin dict."""
        when = date or int(time.time()) - 3600
        if isinstance(origin, FakeUser):
            fwd: dict[str, Any] = {"type": "user", "date": when, "sender_user": origin.user_dict}
        elif isinstance(origin, str):
            fwd = {"type": "hidden_user", "date": when, "sender_user_name": origin}
        elif isinstance(origin, FakeChat) and origin.type == "channel":
            fwd = {"type": "channel", "date": when, "chat": origin.chat_dict, "message_id": 1}
        elif isinstance(origin, FakeChat):
            fwd = {"type": "chat", "date": when, "sender_chat": origin.chat_dict}
        else:
            fwd = {"date": when, **origin}
        content: dict[str, Any] = {"text": text, "forward_origin": fwd}
        if found := detect_entities(text):
            content["entities"] = found
        return await self._post(content, None, settle)

    async def edit(self, message: Interaction | dict[str, Any] | int, new_text: str, *,
                   settle: bool = True) -> Interaction:
        """Edit one of this user's earlier text messages (an ``edited_message`` update)."""
        chat_id = (message.chat_id if isinstance(message, Interaction) and message.chat_id else self.id)
        stored = self.api._resolve_message(message, chat_id)
        stored["text"] = new_text
        stored["edit_date"] = int(time.time())
        stored.pop("entities", None)
        if found := detect_entities(new_text):
            stored["entities"] = found
        return await self.api._interact({"edited_message": copy.deepcopy(stored)}, settle=settle)

    async def press(self, label: str, *, message: SentMessage | None = None,
                    chat: FakeChat | None = None, settle: bool = True) -> Interaction:
        """Press an inline button (by label, callback_data or unique label substring) of the
        latest bot message in this chat that has it (or of ``message``)."""
        chat_id = chat.id if chat else self.id
        candidates = [message] if message else [
            m for m in reversed(self.api.messages)
            if m.chat_id == chat_id and not m.deleted and m.inline_keyboard
        ]
        for candidate in candidates:
            button = candidate.find_button(label)
            if button is None:
                continue
            if "callback_data" not in button:
                raise AssertionError(f"button {button['text']!r} is not a callback button: {button}")
            query_id = str(next(self.api._query_ids))
            query = {
                "id": query_id,
                "from": self.user_dict,
                "message": copy.deepcopy(candidate.raw),
                "chat_instance": str(abs(chat_id) * 7919 + 13),
                "data": button["callback_data"],
            }
            self.api._open_queries[query_id] = query
            return await self.api._interact({"callback_query": query}, settle=settle, chat_id=chat_id)
        shown = candidates[0].buttons if candidates else "no message with an inline keyboard"
        raise AssertionError(f"no button {label!r} for {self!r}; latest keyboard: {shown}")

    async def _media(self, content: dict[str, Any], chat: FakeChat | None, settle: bool) -> Interaction:
        return await self._post(content, chat, settle)

    async def send_photo(self, caption: str | None = None, *, data: bytes = FAKE_JPEG,
                         chat: FakeChat | None = None, settle: bool = True) -> Interaction:
        big = self.api.add_file(data, "photo")
        small = self.api.add_file(data, "photo")
        content: dict[str, Any] = {"photo": [
            {"file_id": small.file_id, "file_unique_id": small.file_unique_id, "width": 90,
             "height": 67, "file_size": len(data)},
            {"file_id": big.file_id, "file_unique_id": big.file_unique_id, "width": 1280,
             "height": 960, "file_size": len(data)},
        ]}
        if caption is not None:
            content["caption"] = caption
            if found := detect_entities(caption):
                content["caption_entities"] = found
        return await self._media(content, chat, settle)

    async def send_voice(self, duration: int = 3, *, data: bytes = FAKE_OGG,
                         chat: FakeChat | None = None, settle: bool = True) -> Interaction:
        entry = self.api.add_file(data, "voice", mime_type="audio/ogg")
        return await self._media({"voice": {
            "file_id": entry.file_id, "file_unique_id": entry.file_unique_id, "duration": duration,
            "mime_type": "audio/ogg", "file_size": len(data)}}, chat, settle)

    async def send_document(self, data: bytes, file_name: str = "file.bin", *,
                            mime_type: str = "application/octet-stream", caption: str | None = None,
                            chat: FakeChat | None = None, settle: bool = True) -> Interaction:
        entry = self.api.add_file(data, "document", mime_type=mime_type, file_name=file_name)
        content: dict[str, Any] = {"document": {
            "file_id": entry.file_id, "file_unique_id": entry.file_unique_id, "file_name": file_name,
            "mime_type": mime_type, "file_size": len(data)}}
        if caption is not None:
            content["caption"] = caption
        return await self._media(content, chat, settle)

    async def send_sticker(self, emoji: str = "👍", *, chat: FakeChat | None = None,
                           settle: bool = True) -> Interaction:
        entry = self.api.add_file(b"RIFF\x00\x00\x00\x00WEBP", "sticker", mime_type="image/webp")
        return await self._media({"sticker": {
            "file_id": entry.file_id, "file_unique_id": entry.file_unique_id, "type": "regular",
            "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": emoji,
            "set_name": "FakePack"}}, chat, settle)

    async def send_location(self, latitude: float = 39.9042, longitude: float = 116.4074, *,
                            chat: FakeChat | None = None, settle: bool = True) -> Interaction:
        return await self._media({"location": {"latitude": latitude, "longitude": longitude}}, chat, settle)

    async def send_contact(self, phone: str, first_name: str | None = None, *,
                           user_id: int | None = None, chat: FakeChat | None = None,
                           settle: bool = True) -> Interaction:
        """A shared contact; by default the user's own (user_id = self.id), as "share my phone" does."""
        contact: dict[str, Any] = {"phone_number": phone, "first_name": first_name or self.first_name}
        contact["user_id"] = self.id if user_id is None and first_name is None else user_id
        if contact["user_id"] is None:
            del contact["user_id"]
        return await self._media({"contact": contact}, chat, settle)


# ------------------------------------------------------------------------------------- the server


class FakeBotApi:
    """Fake Telegram Bot API on 127.0.0.1. Use as ``async with FakeBotApi() as api:``."""

    def __init__(self, *, token: str = DEFAULT_TOKEN, bot_username: str = "cunjing_test_bot",
                 bot_first_name: str = "村警", enforce_limits: bool = False,
                 per_chat_per_second: int = 1, global_per_second: int = 30,
                 group_per_minute: int = 20, strict_chats: bool = True,
                 settle_timeout: float = 5.0, privacy_mode: bool = True, port: int = 0) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user: dict[str, Any] = {
            "id": self.bot_id, "is_bot": True, "first_name": bot_first_name,
            "username": bot_username, "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False,
            "can_connect_to_business": False, "has_main_web_app": False,
        }
        self.enforce_limits = enforce_limits
        self.per_chat_per_second = per_chat_per_second
        self.global_per_second = global_per_second
        self.group_per_minute = group_per_minute
        #: Sending to a chat no FakeUser/FakeChat was made for answers "400 chat not found".
        self.strict_chats = strict_chats
        self.settle_timeout = settle_timeout
        #: BotFather's group privacy: in groups the bot gets only commands, replies to it, mentions.
        self.privacy_mode = privacy_mode
        self.bot_user["can_read_all_group_messages"] = not privacy_mode

        self._server = HttpServer(self._handle, port=port)  # a given port: stopped and started again on it
        self._started = False
        # records
        self.calls: list[ApiCall] = []
        self.messages: list[SentMessage] = []
        self.counts: Counter[str] = Counter()         # requests received, per method
        self.ok_counts: Counter[str] = Counter()      # successful answers, per method
        self.status_counts: Counter[int] = Counter()  # answers per HTTP status
        self.total_sends = 0                          # messages successfully sent
        self.count_429 = 0
        self.limit_hits: list[tuple[str, int | str | None, str]] = []  # (method, chat, reason)
        self.webhook: dict[str, Any] = {"url": ""}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.bot_settings: dict[str, Any] = {}       # other set*/delete* settings: params by method
        self.descriptions: dict[tuple[str, str], str] = {}  # (description|short_description, language)
        self.files: dict[str, FileEntry] = {}
        self.chat_actions: list[tuple[int | str | None, str]] = []
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.dropped_updates: list[dict[str, Any]] = []
        self.closed = False
        self.logged_out = False
        # state
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, FakeChat] = {}
        self._store: dict[tuple[int, int], dict[str, Any]] = {}
        self._sent_index: dict[tuple[int, int], SentMessage] = {}
        self._inline_messages: dict[str, SentMessage] = {}
        self._pending: list[_Pending] = []
        self._seq = itertools.count(1)
        self._next_update_id = 100001
        self._message_ids = itertools.count(1)
        self._query_ids = itertools.count(7_000_000_001)
        self._file_seq = itertools.count(1)
        self._open_queries: dict[str, dict[str, Any]] = {}
        self._allowed: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._wake = asyncio.Event()
        self._poll_generation = 0
        self._faults: list[_Fault] = []
        self._blocked: set[int | str] = set()
        self._global_window: deque[float] = deque()
        self._chat_windows: dict[int | str, deque[float]] = defaultdict(deque)
        self._inflight: Counter[str] = Counter()
        self._last_activity = 0.0
        self._apps: list[AnyApp] = []

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> FakeBotApi:
        await self._server.start()
        self._started = True
        self._wake = asyncio.Event()
        return self

    async def stop(self) -> None:
        self._notify()
        await self._server.stop()
        self._started = False

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    def app_builder(self) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
        """An ApplicationBuilder with token, base_url and base_file_url pointing here."""
        return (ApplicationBuilder().token(self.token).base_url(self.base_url)
                .base_file_url(self.base_file_url))

    def attach(self, app: AnyApp) -> None:
        """Let :meth:`settle` also wait for ``app`` to finish processing (``running`` does this)."""
        if app not in self._apps:
            self._apps.append(app)

    @contextlib.asynccontextmanager
    async def running(self, app: AnyApp, *, poll_timeout: int = 10,
                      allowed_updates: list[str] | None = None,
                      drop_pending_updates: bool | None = None) -> AsyncIterator[AnyApp]:
        """Run ``app`` polling this fake the way ``run_polling`` does (post_init, polling, start;
        then stop, post_stop, shutdown, post_shutdown), but inside the test's event loop."""
        self.attach(app)
        await app.initialize()
        try:
            if app.post_init:
                await app.post_init(app)
            assert app.updater is not None, "build the Application with an Updater"
            await app.updater.start_polling(poll_interval=0, timeout=poll_timeout,
                                            allowed_updates=allowed_updates,
                                            drop_pending_updates=drop_pending_updates)
            await app.start()
            try:
                yield app
            finally:
                if app.updater.running:
                    await app.updater.stop()
                if app.running:
                    await app.stop()
                if app.post_stop:
                    await app.post_stop(app)
        finally:
            await app.shutdown()
            if app.post_shutdown:
                await app.post_shutdown(app)
            self._apps.remove(app)

    # -- people and chats ----------------------------------------------------------------------

    def user(self, user_id: int, first_name: str = "User", language_code: str | None = "zh", *,
             last_name: str | None = None, username: str | None = None) -> FakeUser:
        """The FakeUser with this id (created on first use; its private chat becomes known)."""
        if user_id not in self.users:
            self.users[user_id] = FakeUser(self, user_id, first_name, language_code, last_name, username)
        return self.users[user_id]

    def group(self, chat_id: int, title: str = "村民群", *, type: str = "supergroup",
              username: str | None = None, member: bool = True, admin: bool = False) -> FakeChat:
        """A group ("group"/"supergroup") or channel ("channel") chat; ids should be negative.
        The bot is in it unless ``member=False`` (see ``FakeChat.add_bot``)."""
        if chat_id not in self.chats:
            self.chats[chat_id] = FakeChat(self, chat_id, title, type, username, member, admin)
        return self.chats[chat_id]

    async def _member_update(self, chat: dict[str, Any], by: FakeUser, old: str, new: str,
                             settle: bool) -> Interaction:
        """A ``my_chat_member`` update: the bot's own status in ``chat`` changed from ``old`` to ``new``."""
        update = {"my_chat_member": {
            "chat": chat, "from": by.user_dict, "date": int(time.time()),
            "old_chat_member": _member(self.bot_user, old), "new_chat_member": _member(self.bot_user, new),
        }}
        return await self._interact(update, settle=settle)

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sends to this chat answer 403."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    # -- inspection ----------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        return [m for m in self.messages if m.chat_id == chat_id and not m.deleted]

    def message(self, chat_id: int, message_id: int) -> SentMessage | None:
        return self._sent_index.get((chat_id, message_id))

    def commands_for(self, language_code: str = "", scope: str = "default") -> list[str]:
        """Command names set with setMyCommands for that scope type and language."""
        return [c["command"] for c in self.commands.get((scope, language_code), [])]

    def description_for(self, language_code: str = "", *, short: bool = False) -> str:
        """The description (or short description) set with setMyDescription for that language."""
        return self.descriptions.get(("short_description" if short else "description", language_code), "")

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return [p.update for p in self._pending]

    def reset_counters(self) -> None:
        """Forget calls, counters and rate windows (not messages or state)."""
        self.calls.clear()
        self.counts.clear()
        self.ok_counts.clear()
        self.status_counts.clear()
        self.total_sends = 0
        self.count_429 = 0
        self.limit_hits.clear()
        self._global_window.clear()
        self._chat_windows.clear()

    # -- injection -----------------------------------------------------------------------------

    def queue_update(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Queue an update as given (an ``update_id`` is assigned if missing; the same id may be
        queued twice and is then delivered twice). Returns the queued dict."""
        update = copy.deepcopy(raw)
        update.setdefault("update_id", self._next_update_id)
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        for key in ("message", "edited_message", "channel_post"):
            message = update.get(key)
            if isinstance(message, dict) and "chat" in message and "message_id" in message:
                self._store.setdefault((int(message["chat"]["id"]), int(message["message_id"])),
                                       copy.deepcopy(message))
        self._pending.append(_Pending(update, next(self._seq)))
        self._notify()
        return update

    def next_update(self, skip: Collection[int] = ()) -> dict[str, Any] | None:
        """The oldest pending update, for a webhook delivery (see ``webhook.WebhookProxy``), except
        the `skip` update ids (being delivered on another connection)."""
        pending = next((p for p in self._pending if p.update_id not in skip), None)
        if pending is None:
            return None
        pending.delivered = True
        return _jsonable(pending.update)

    def confirm_update(self, update_id: int) -> None:
        """The bot took the update (its webhook answered 200): it is never offered again."""
        self._pending = [p for p in self._pending if p.update_id != update_id]
        self._last_activity = asyncio.get_running_loop().time()

    async def changed(self, timeout: float) -> None:
        """Wait until an update is queued or `timeout` seconds pass."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    async def inject_update(self, raw: dict[str, Any], *, settle: bool = True) -> Interaction:
        """Queue a raw update (see :meth:`queue_update`) and, by default, wait until processed."""
        return await self._interact(raw, settle=settle, raw=True)

    async def _interact(self, update: dict[str, Any], *, settle: bool, raw: bool = False,
                        chat_id: int | None = None) -> Interaction:
        first_call = len(self.calls)
        queued = self.queue_update(update)
        if chat_id is None:
            body = next((v for k, v in queued.items() if k != "update_id"), None)
            if isinstance(body, dict):
                chat = body.get("chat") or (body.get("message") or {}).get("chat")
                chat_id = int(chat["id"]) if chat else None
        interaction = Interaction(queued, chat_id=chat_id)
        if settle:
            await self.settle()
        interaction.calls = self.calls[first_call:]
        return interaction

    def fail_next(self, method: str, count: int = 1, *, status: int | None = None,
                  retry_after: int | None = None, description: str | None = None,
                  disconnect: bool = False, delay: float | None = None,
                  chat_id: int | str | None = None, carried_out: bool = False) -> None:
        """Make the next ``count`` calls of ``method`` ("*" = any method but getUpdates) fail:

        - ``status=429, retry_after=N``: "Too Many Requests: retry after N" (PTB: RetryAfter);
          ``retry_after`` alone implies 429;
        - ``status=500/502/...``: a server error (PTB: NetworkError), 400 BadRequest, 403 Forbidden;
        - ``disconnect=True``: drop the connection without answering (PTB: NetworkError);
        - ``delay=S``: answer only after S seconds (beyond the client's read timeout: TimedOut);
          combined with nothing else, the call is then carried out normally (if the client still waits);
        - ``delay=S, carried_out=True``: Telegram carries the call out at once and answers after S
          seconds, whether or not the client still waits (a send that "timed out" but arrived).
        ``chat_id`` limits the fault to calls for that chat.
        """
        if retry_after is not None and status is None:
            status = 429
        if status is None and not disconnect and delay is None:
            status = 500
        self._faults.append(_Fault(method, count, status, retry_after, description, disconnect,
                                   delay, _chat_key(chat_id), carried_out))

    async def settle(self, timeout: float | None = None, quiet: float | None = None) -> None:
        """Wait until every queued update has been fetched and confirmed (getUpdates with a higher
        offset), every attached Application has finished processing it, no request is in flight
        and none has arrived for ``quiet`` seconds (0.02 s with an attached app, else 0.1 s)."""
        loop = asyncio.get_running_loop()
        limit = self.settle_timeout if timeout is None else timeout
        quiet = (0.02 if self._apps else 0.1) if quiet is None else quiet
        deadline = loop.time() + limit
        while not self._is_settled(loop.time(), quiet):
            if loop.time() > deadline:
                raise AssertionError(f"settle() timed out after {limit} s: {self._settle_report()}")
            await asyncio.sleep(0.005)

    def _is_settled(self, now: float, quiet: float) -> bool:
        if self._pending or self._inflight:
            return False
        for app in self._apps:
            if getattr(app.update_queue, "_unfinished_tasks", 0):
                return False
            tasks = getattr(app, "_Application__create_task_tasks", ())
            if any(not t.done() for t in tasks):
                return False
        return now - self._last_activity >= quiet

    def _settle_report(self) -> str:
        parts = []
        undelivered = [p.update_id for p in self._pending if not p.delivered]
        unconfirmed = [p.update_id for p in self._pending if p.delivered]
        if undelivered:
            parts.append(f"updates {undelivered} never fetched (is the Application polling?)")
        if unconfirmed:
            parts.append(f"updates {unconfirmed} fetched but not confirmed by a later getUpdates")
        for app in self._apps:
            if getattr(app.update_queue, "_unfinished_tasks", 0):
                parts.append("the Application is still processing an update")
        if self._inflight:
            parts.append(f"requests in flight: {dict(self._inflight)}")
        return "; ".join(parts) or "the bot kept making requests"

    # -- files ---------------------------------------------------------------------------------

    def add_file(self, data: bytes, kind: str = "document", *, mime_type: str | None = None,
                 file_name: str | None = None) -> FileEntry:
        """Store bytes under a new file_id (getFile + the file URL will serve them)."""
        n = next(self._file_seq)
        file_id = f"FAKE-{kind}-{n:06d}"
        path = f"{kind}s/file_{n}.{_EXT.get(kind, 'bin')}"
        entry = FileEntry(file_id, f"U{n:06d}", kind, data, path, mime_type or _MIME.get(kind), file_name)
        self.files[file_id] = entry
        return entry

    # -- HTTP ----------------------------------------------------------------------------------

    def _notify(self) -> None:
        self._wake.set()
        self._wake = asyncio.Event()

    async def _handle(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/file/bot"):
            return self._serve_file(request.path[len("/file/bot"):])
        if not request.path.startswith("/bot"):
            return HttpResponse.json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        token, _, method_name = request.path[len("/bot"):].partition("/")
        method = _CANONICAL.get(method_name.lower(), method_name)
        try:
            params, files = request.form()
        except (ValueError, UnicodeDecodeError) as exc:
            return HttpResponse.json(_bad(f"can't parse request: {exc}").payload(), 400)
        for key in _JSON_FIELDS & params.keys():
            if isinstance(params[key], str):
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(params[key])
        loop = asyncio.get_running_loop()
        call = ApiCall(method, params, files, loop.time())
        self.calls.append(call)
        self.counts[method] += 1
        tracked = method != "getUpdates"
        if tracked:
            self._inflight[method] += 1
            self._last_activity = loop.time()
        try:
            response = await self._answer(call, token)
        except asyncio.CancelledError:
            call.description = "client disconnected before the answer"
            raise
        finally:
            if tracked:
                self._inflight[method] -= 1
                if not self._inflight[method]:
                    del self._inflight[method]
                self._last_activity = loop.time()
        if response.abort:
            call.status = 0
            call.description = "connection dropped (injected)"
            return response
        call.status = response.status
        self.status_counts[response.status] += 1
        if response.status == 429:
            self.count_429 += 1
        if call.ok:
            self.ok_counts[method] += 1
        return response

    async def _answer(self, call: ApiCall, token: str) -> HttpResponse:
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            fault = self._take_fault(call)
            if fault is not None and fault.carried_out:
                # carried out now, in a task the client's hanging up cannot cancel; answered late
                done = asyncio.ensure_future(self._answer(call, token))
                await asyncio.sleep(fault.delay or 0)
                return await asyncio.shield(done)
            if fault is not None:
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                if fault.disconnect:
                    return HttpResponse(abort=True)
                if fault.status is not None:
                    raise self._fault_error(fault)
            handler = _HANDLERS.get(call.method)
            if handler is None:
                if call.method.startswith(("set", "delete")):
                    self.bot_settings[call.method] = call.params
                    result: Any = True
                else:
                    raise ApiError(404, f"Not Found: method {call.method} is not faked by FakeBotApi")
            else:
                if call.method in SEND_METHODS or call.method == "sendChatAction":
                    self._check_chat_writable(call)
                result = await handler(self, call)
        except ApiError as err:
            call.description = err.description
            return HttpResponse.json(err.payload(), err.status)
        call.result = result
        return HttpResponse.json({"ok": True, "result": result})

    def _take_fault(self, call: ApiCall) -> _Fault | None:
        for fault in self._faults:
            if fault.method not in (call.method, "*"):
                continue
            if fault.method == "*" and call.method == "getUpdates":
                continue
            if fault.chat_id is not None and fault.chat_id != call.chat_id:
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            return fault
        return None

    @staticmethod
    def _fault_error(fault: _Fault) -> ApiError:
        status = fault.status or 500
        if status == 429:
            after = fault.retry_after or 1
            return ApiError(429, fault.description or f"Too Many Requests: retry after {after}",
                            {"retry_after": after})
        default = {400: "Bad Request: injected failure", 403: "Forbidden: bot was blocked by the user",
                   409: "Conflict: terminated by other getUpdates request; make sure that only one "
                        "bot instance is running",
                   500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
                   504: "Gateway Timeout"}
        return ApiError(status, fault.description or default.get(status, f"Error {status}"))

    def _serve_file(self, rest: str) -> HttpResponse:
        token, _, path = rest.partition("/")
        if token != self.token:
            return HttpResponse.json({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        for entry in self.files.values():
            if entry.file_path == path:
                return HttpResponse(200, entry.data, entry.mime_type or "application/octet-stream")
        return HttpResponse.json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)

    # -- helpers for handlers ------------------------------------------------------------------

    def _next_message_id(self) -> int:
        return next(self._message_ids)

    def _store_message(self, message: dict[str, Any]) -> None:
        self._store[(int(message["chat"]["id"]), int(message["message_id"]))] = message

    def _resolve_message(self, message: SentMessage | Interaction | dict[str, Any] | int,
                         chat_id: int) -> dict[str, Any]:
        if isinstance(message, SentMessage):
            return message.raw
        if isinstance(message, Interaction):
            assert message.message is not None, "that interaction carried no message"
            key = (int(message.message["chat"]["id"]), int(message.message["message_id"]))
        elif isinstance(message, dict):
            key = (int(message["chat"]["id"]), int(message["message_id"]))
        else:
            key = (chat_id, int(message))
        if key not in self._store:
            raise AssertionError(f"no message {key[1]} in chat {key[0]}")
        return self._store[key]

    def _chat(self, chat_ref: Any) -> dict[str, Any]:
        key = _chat_key(chat_ref)
        if key is None:
            raise _bad("chat_id is empty")
        if isinstance(key, str):
            for chat in self.chats.values():
                if chat.username and f"@{chat.username}" == key:
                    return chat.chat_dict
            raise _bad("chat not found")
        if key in self.users:
            return self.users[key].chat_dict
        if key in self.chats:
            return self.chats[key].chat_dict
        if self.strict_chats:
            raise _bad("chat not found")
        if key > 0:
            return self.user(key, f"User{key}").chat_dict
        return self.group(key, f"Chat{key}").chat_dict

    def _check_chat_writable(self, call: ApiCall) -> None:
        chat = self._chat(call.params.get("chat_id"))
        group = self.chats.get(chat["id"])
        if group is not None and not group.member:
            raise ApiError(403, f"Forbidden: bot is not a member of the {group.type} chat")
        if chat["id"] in self._blocked:
            if chat["type"] == "private":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            raise ApiError(403, "Forbidden: bot was kicked from the supergroup chat")
        if self.enforce_limits and call.method in SEND_METHODS:
            self._check_limits(call.method, chat["id"])

    def _check_limits(self, method: str, chat_id: int) -> None:
        now = asyncio.get_running_loop().time()
        window = self._chat_windows[chat_id]
        span, limit = (60.0, self.group_per_minute) if chat_id < 0 else (1.0, self.per_chat_per_second)
        while window and window[0] <= now - span:
            window.popleft()
        while self._global_window and self._global_window[0] <= now - 1.0:
            self._global_window.popleft()
        reason = None
        if len(window) >= limit:
            reason, wait = "per-chat", window[0] + span - now
        elif len(self._global_window) >= self.global_per_second:
            reason, wait = "global", self._global_window[0] + 1.0 - now
        if reason is not None:
            after = max(1, math.ceil(wait))
            self.limit_hits.append((method, chat_id, reason))
            raise ApiError(429, f"Too Many Requests: retry after {after}", {"retry_after": after})

    def _count_send(self, chat_id: int, n: int = 1) -> None:
        self.total_sends += n
        now = asyncio.get_running_loop().time()
        for _ in range(n):
            self._chat_windows[chat_id].append(now)
            self._global_window.append(now)

    def _reply_to(self, params: dict[str, Any], chat_id: int) -> dict[str, Any] | None:
        reply = params.get("reply_parameters")
        if reply is None and params.get("reply_to_message_id") is not None:
            reply = {"message_id": int(params["reply_to_message_id"]),
                     "allow_sending_without_reply": _bool(params.get("allow_sending_without_reply"))}
        if not reply:
            return None
        target_chat = _chat_key(reply.get("chat_id")) or chat_id
        original = self._store.get((int(target_chat), int(reply["message_id"])))  # type: ignore[arg-type]
        if original is None:
            if _bool(reply.get("allow_sending_without_reply")):
                return None
            raise _bad("message to be replied not found")
        quoted = copy.deepcopy(original)
        quoted.pop("reply_to_message", None)
        return quoted

    def _text_and_entities(self, params: dict[str, Any], key: str) -> tuple[str, list[dict[str, Any]] | None]:
        text = str(params.get(key, ""))
        entities_key = "entities" if key == "text" else "caption_entities"
        try:
            shown = plain_text(text, params.get("parse_mode"))
        except EntityParseError as exc:
            raise _bad(f"can't parse entities: {exc}") from None
        return shown, params.get(entities_key)

    def _new_message(self, call: ApiCall, content: dict[str, Any], *, count: bool = True,
                     upload: UploadedFile | None = None,
                     params: dict[str, Any] | None = None) -> SentMessage:
        params = call.params if params is None else params
        chat = self._chat(params.get("chat_id"))
        message: dict[str, Any] = {
            "message_id": self._next_message_id(),
            "date": int(time.time()),
            "chat": chat,
        }
        if chat["type"] == "channel":
            message["sender_chat"] = chat
        else:
            message["from"] = dict(self.bot_user)
        if (reply := self._reply_to(params, chat["id"])) is not None:
            message["reply_to_message"] = reply
        message.update(content)
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            message["reply_markup"] = markup
        if _bool(params.get("protect_content")):
            message["has_protected_content"] = True
        self._store_message(message)
        record = SentMessage(raw=message, method=call.method, params=params,
                             sent_at=asyncio.get_running_loop().time(),
                             reply_markup=markup if isinstance(markup, dict) else None, upload=upload)
        self.messages.append(record)
        self._sent_index[(chat["id"], record.message_id)] = record
        call.messages.append(record)
        if count:
            self._count_send(chat["id"])
        return record

    def _media_content(self, params: dict[str, Any], files: dict[str, UploadedFile],
                       kind: str) -> tuple[dict[str, Any], UploadedFile | None]:
        """The Message field for a sent file (file_id, URL or multipart upload)."""
        value = params.get(kind)
        upload = files.get(kind)
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value[len("attach://"):])
        if upload is not None:
            entry = self.add_file(upload.data, kind, mime_type=upload.content_type,
                                  file_name=upload.filename)
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            entry = self.add_file(b"", kind, file_name=value.rsplit("/", 1)[-1])
        elif isinstance(value, str) and value in self.files:
            entry = self.files[value]
        elif isinstance(value, str) and value:
            raise _bad("wrong file identifier/HTTP URL specified")
        else:
            raise _bad(f"there is no {kind} in the request")
        return {kind: _file_object(entry, kind, self)}, upload


def _file_object(entry: FileEntry, kind: str, api: FakeBotApi) -> Any:
    base = {"file_id": entry.file_id, "file_unique_id": entry.file_unique_id,
            "file_size": len(entry.data)}
    if kind == "photo":
        thumb = api.add_file(entry.data, "photo")
        return [
            {"file_id": thumb.file_id, "file_unique_id": thumb.file_unique_id, "width": 90,
             "height": 90, "file_size": len(entry.data)},
            {**base, "width": 800, "height": 800},
        ]
    if kind == "document":
        doc = dict(base)
        if entry.file_name:
            doc["file_name"] = entry.file_name
        if entry.mime_type:
            doc["mime_type"] = entry.mime_type
        return doc
    if kind in ("voice", "audio"):
        return {**base, "duration": 1, "mime_type": entry.mime_type or _MIME[kind]}
    if kind in ("video", "animation"):
        return {**base, "width": 640, "height": 360, "duration": 1}
    if kind == "video_note":
        return {**base, "length": 240, "duration": 1}
    if kind == "sticker":
        return {**base, "type": "regular", "width": 512, "height": 512, "is_animated": False,
                "is_video": False}
    return base


# ----------------------------------------------------------------------------------- API methods


def _member(user: dict[str, Any], status: str) -> dict[str, Any]:
    """A ChatMember of ``status`` with the fields Telegram sends for it."""
    member: dict[str, Any] = {"user": user, "status": status}
    if status == "kicked":
        member["until_date"] = 0
    elif status == "administrator":
        member.update({"can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                       "can_delete_messages": True, "can_manage_video_chats": False,
                       "can_restrict_members": True, "can_promote_members": False, "can_change_info": False,
                       "can_invite_users": True, "can_post_stories": False, "can_edit_stories": False,
                       "can_delete_stories": False, "can_pin_messages": True})
    return member


async def _get_me(api: FakeBotApi, call: ApiCall) -> Any:
    return api.bot_user


async def _get_updates(api: FakeBotApi, call: ApiCall) -> Any:
    p = call.params
    if api.webhook.get("url"):
        raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                            "use deleteWebhook to delete the webhook first")
    api._poll_generation += 1
    generation = api._poll_generation
    api._notify()  # an older long poll still waiting gets a Conflict, like Telegram does
    offset = _int(p.get("offset"))
    limit = min(max(_int(p.get("limit"), 100) or 100, 1), 100)
    timeout = _float(p.get("timeout"))
    if "allowed_updates" in p:
        wanted = p["allowed_updates"] or []
        api._allowed = frozenset(wanted) if wanted else DEFAULT_ALLOWED_UPDATES
    if offset is not None:
        if offset < 0:
            drop = api._pending[:offset] if -offset < len(api._pending) else []
            api._pending = [x for x in api._pending if x not in drop]
        else:
            api._pending = [x for x in api._pending if not (x.delivered and x.update_id < offset)]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if generation != api._poll_generation:
            raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure that "
                                "only one bot instance is running")
        batch: list[dict[str, Any]] = []
        for pending in list(api._pending):
            if pending.type not in api._allowed:
                api._pending.remove(pending)
                api.dropped_updates.append(pending.update)
                continue
            if len(batch) < limit:
                pending.delivered = True
                batch.append(_jsonable(pending.update))
        remaining = deadline - loop.time()
        if batch or remaining <= 0:
            return batch
        wake = api._wake
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), remaining)


async def _delete_webhook(api: FakeBotApi, call: ApiCall) -> Any:
    api.webhook = {"url": ""}
    if _bool(call.params.get("drop_pending_updates")):
        api.dropped_updates.extend(p.update for p in api._pending)
        api._pending.clear()
    return True


async def _set_webhook(api: FakeBotApi, call: ApiCall) -> Any:
    url = str(call.params.get("url", ""))
    if url and not url.startswith("https://"):
        raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
    api.webhook = {k: v for k, v in call.params.items() if k != "certificate"}
    api.webhook["url"] = url
    if "certificate" in call.files:
        api.webhook["has_custom_certificate"] = True
    if _bool(call.params.get("drop_pending_updates")):
        api._pending.clear()
    return True


async def _get_webhook_info(api: FakeBotApi, call: ApiCall) -> Any:
    info: dict[str, Any] = {
        "url": api.webhook.get("url", ""),
        "has_custom_certificate": bool(api.webhook.get("has_custom_certificate")),
        "pending_update_count": len(api._pending),
    }
    if api.webhook.get("max_connections"):
        info["max_connections"] = int(api.webhook["max_connections"])
    if api.webhook.get("allowed_updates"):
        info["allowed_updates"] = api.webhook["allowed_updates"]
    if api.webhook.get("ip_address"):
        info["ip_address"] = api.webhook["ip_address"]
    return info


def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope") or {}
    kind = scope.get("type", "default") if isinstance(scope, dict) else "default"
    if isinstance(scope, dict) and "chat_id" in scope:
        kind = f"{kind}:{scope['chat_id']}"
    if isinstance(scope, dict) and "user_id" in scope:
        kind = f"{kind}:{scope['user_id']}"
    return kind, str(params.get("language_code") or "")


async def _set_my_commands(api: FakeBotApi, call: ApiCall) -> Any:
    commands = call.params.get("commands")
    if not isinstance(commands, list):
        raise _bad("commands must be a JSON array")
    for command in commands:
        name = str(command.get("command", ""))
        if not (1 <= len(name) <= 32) or not name.replace("_", "").isalnum() or name.lower() != name \
                or not name.isascii():
            raise _bad("BOT_COMMAND_INVALID")
        if not (1 <= len(str(command.get("description", ""))) <= 256):
            raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
    api.commands[_commands_key(call.params)] = commands
    return True


async def _get_my_commands(api: FakeBotApi, call: ApiCall) -> Any:
    return api.commands.get(_commands_key(call.params), [])


async def _delete_my_commands(api: FakeBotApi, call: ApiCall) -> Any:
    api.commands.pop(_commands_key(call.params), None)
    return True


def _set_description(kind: str, limit: int) -> Any:
    """setMyDescription / setMyShortDescription: per language; an empty text clears it."""

    async def handler(api: FakeBotApi, call: ApiCall) -> Any:
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
    async def handler(api: FakeBotApi, call: ApiCall) -> Any:
        return {kind: api.descriptions.get((kind, str(call.params.get("language_code") or "")), "")}

    return handler


async def _send_message(api: FakeBotApi, call: ApiCall) -> Any:
    text, entities = api._text_and_entities(call.params, "text")
    if not text.strip():
        raise _bad("message text is empty")
    if utf16_len(text) > 4096:
        raise _bad("message is too long")
    content: dict[str, Any] = {"text": text}
    if entities:
        content["entities"] = entities
    if call.params.get("link_preview_options"):
        content["link_preview_options"] = call.params["link_preview_options"]
    return api._new_message(call, content).raw


async def _send_media(api: FakeBotApi, call: ApiCall) -> Any:
    kind = _MEDIA_KINDS[call.method]
    content, upload = api._media_content(call.params, call.files, kind)
    if "caption" in call.params:
        caption, entities = api._text_and_entities(call.params, "caption")
        if utf16_len(caption) > 1024:
            raise _bad("message caption is too long")
        content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
    return api._new_message(call, content, upload=upload).raw


async def _send_location(api: FakeBotApi, call: ApiCall) -> Any:
    p = call.params
    location = {"latitude": _float(p.get("latitude")), "longitude": _float(p.get("longitude"))}
    if call.method == "sendVenue":
        content = {"venue": {"location": location, "title": p.get("title", ""),
                             "address": p.get("address", "")}, "location": location}
    else:
        content = {"location": location}
    return api._new_message(call, content).raw


async def _send_contact(api: FakeBotApi, call: ApiCall) -> Any:
    p = call.params
    contact = {"phone_number": str(p.get("phone_number", "")), "first_name": str(p.get("first_name", ""))}
    if p.get("last_name"):
        contact["last_name"] = str(p["last_name"])
    return api._new_message(call, {"contact": contact}).raw


async def _send_dice(api: FakeBotApi, call: ApiCall) -> Any:
    return api._new_message(call, {"dice": {"emoji": call.params.get("emoji", "🎲"), "value": 6}}).raw


async def _send_media_group(api: FakeBotApi, call: ApiCall) -> Any:
    media = call.params.get("media")
    if not isinstance(media, list) or not 2 <= len(media) <= 10:
        raise _bad("media must include 2-10 items")
    group_id = str(next(api._seq) + 10**12)
    results = []
    for item in media:
        kind = item.get("type", "photo")
        params = {**call.params, kind: item.get("media"), "caption": item.get("caption"),
                  "parse_mode": item.get("parse_mode")}
        content, upload = api._media_content(params, call.files, kind)
        if item.get("caption"):
            content["caption"], _ = api._text_and_entities(params, "caption")
        content["media_group_id"] = group_id
        results.append(api._new_message(call, content, upload=upload, params=params).raw)
    return results


async def _send_chat_action(api: FakeBotApi, call: ApiCall) -> Any:
    api.chat_actions.append((_chat_key(call.params.get("chat_id")), str(call.params.get("action"))))
    return True


def _source_message(api: FakeBotApi, params: dict[str, Any]) -> dict[str, Any]:
    from_chat = _chat_key(params.get("from_chat_id"))
    if isinstance(from_chat, str):
        from_chat = api._chat(from_chat)["id"]
    source = api._store.get((from_chat, _int(params.get("message_id")) or 0))  # type: ignore[arg-type]
    if source is None:
        raise _bad("message to copy not found")
    return source


_CONTENT_KEYS = ("text", "entities", "caption", "caption_entities", "photo", "document", "voice",
                 "audio", "video", "animation", "video_note", "sticker", "location", "venue",
                 "contact", "dice")


async def _copy_message(api: FakeBotApi, call: ApiCall) -> Any:
    source = _source_message(api, call.params)
    content = {k: copy.deepcopy(v) for k, v in source.items() if k in _CONTENT_KEYS}
    if "caption" in call.params:
        content["caption"], entities = api._text_and_entities(call.params, "caption")
        content.pop("caption_entities", None)
        if entities:
            content["caption_entities"] = entities
    record = api._new_message(call, content)
    return {"message_id": record.message_id}


async def _forward_message(api: FakeBotApi, call: ApiCall) -> Any:
    source = _source_message(api, call.params)
    content = {k: copy.deepcopy(v) for k, v in source.items() if k in _CONTENT_KEYS}
    origin = source.get("forward_origin")
    if origin is None:
        sender = source.get("from")
        if sender is not None:
            origin = {"type": "user", "date": source["date"], "sender_user": sender}
        else:
            origin = {"type": "channel", "date": source["date"], "chat": source["chat"],
                      "message_id": source["message_id"]}
    content["forward_origin"] = copy.deepcopy(origin)
    params = {k: v for k, v in call.params.items() if k != "reply_markup"}
    return api._new_message(call, content, params=params).raw


def _editable(api: FakeBotApi, params: dict[str, Any]) -> SentMessage:
    if params.get("inline_message_id"):
        record = api._inline_messages.get(str(params["inline_message_id"]))
        if record is None:
            raise _bad("message to edit not found")
        return record
    chat = api._chat(params.get("chat_id"))
    message_id = _int(params.get("message_id")) or 0
    record = api._sent_index.get((chat["id"], message_id))
    if record is None:
        if (chat["id"], message_id) in api._store:
            raise _bad("message can't be edited")
        raise _bad("message to edit not found")
    if record.deleted:
        raise _bad("message to edit not found")
    return record


def _apply_edit(api: FakeBotApi, call: ApiCall, record: SentMessage, changes: dict[str, Any],
                markup: Any) -> Any:
    before = {k: record.raw.get(k) for k in (*changes, "reply_markup")}
    new_markup = markup if isinstance(markup, dict) and markup.get("inline_keyboard") else None
    after = {**changes, "reply_markup": new_markup}
    if all(before.get(k) == after.get(k) for k in after):
        raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
    record.edits.append({"method": call.method, "before": before, "params": call.params,
                         "at": asyncio.get_running_loop().time()})
    for key, value in changes.items():
        if value is None:
            record.raw.pop(key, None)
        else:
            record.raw[key] = value
    if new_markup is None:
        record.raw.pop("reply_markup", None)
    else:
        record.raw["reply_markup"] = new_markup
    if record.reply_markup is None or "inline_keyboard" in record.reply_markup:
        record.reply_markup = new_markup  # (a reply keyboard stays where it is)
    record.raw["edit_date"] = int(time.time())
    record.params = {**record.params, **{k: v for k, v in call.params.items()
                                          if k in ("text", "caption", "parse_mode")}}
    call.messages.append(record)
    if call.params.get("inline_message_id"):
        return True
    return record.raw


async def _edit_message_text(api: FakeBotApi, call: ApiCall) -> Any:
    record = _editable(api, call.params)
    if "text" not in record.raw:
        raise _bad("there is no text in the message to edit")
    text, entities = api._text_and_entities(call.params, "text")
    if not text.strip():
        raise _bad("message text is empty")
    return _apply_edit(api, call, record, {"text": text, "entities": entities},
                       call.params.get("reply_markup"))


async def _edit_message_caption(api: FakeBotApi, call: ApiCall) -> Any:
    record = _editable(api, call.params)
    caption, entities = api._text_and_entities(call.params, "caption")
    return _apply_edit(api, call, record, {"caption": caption or None, "caption_entities": entities},
                       call.params.get("reply_markup"))


async def _edit_message_reply_markup(api: FakeBotApi, call: ApiCall) -> Any:
    record = _editable(api, call.params)
    return _apply_edit(api, call, record, {}, call.params.get("reply_markup"))


async def _delete_message(api: FakeBotApi, call: ApiCall) -> Any:
    chat = api._chat(call.params.get("chat_id"))
    single = [call.params.get("message_id")]
    ids = call.params.get("message_ids") if call.method == "deleteMessages" else single
    found = False
    for message_id in ids or []:
        key = (chat["id"], int(message_id))
        record = api._sent_index.get(key)
        if record is not None and not record.deleted:
            record.deleted = True
            found = True
        elif key in api._store:
            api._store.pop(key)
            found = True
    if not found and call.method == "deleteMessage":
        raise _bad("message to delete not found")
    return True


async def _answer_callback_query(api: FakeBotApi, call: ApiCall) -> Any:
    query_id = str(call.params.get("callback_query_id", ""))
    if query_id not in api._open_queries or query_id in api.callback_answers:
        raise _bad("query is too old and response timeout expired or query ID is invalid")
    text = call.params.get("text")
    if text is not None and len(str(text)) > 200:
        raise _bad("MESSAGE_TOO_LONG")
    api.callback_answers[query_id] = call.params
    return True


async def _get_file(api: FakeBotApi, call: ApiCall) -> Any:
    entry = api.files.get(str(call.params.get("file_id", "")))
    if entry is None:
        raise _bad("invalid file_id")
    if len(entry.data) > 20 * 1024 * 1024:
        raise _bad("file is too big")
    return {"file_id": entry.file_id, "file_unique_id": entry.file_unique_id,
            "file_size": len(entry.data), "file_path": entry.file_path}


async def _get_chat(api: FakeBotApi, call: ApiCall) -> Any:
    chat = api._chat(call.params.get("chat_id"))
    return {**chat, "accent_color_id": 0, "max_reaction_count": 11,
            "accepted_gift_types": {"unlimited_gifts": True, "limited_gifts": True,
                                    "unique_gifts": True, "premium_subscription": True,
                                    "gifts_from_channels": True}}


async def _get_chat_member(api: FakeBotApi, call: ApiCall) -> Any:
    user_id = _int(call.params.get("user_id")) or 0
    user = api.users.get(user_id)
    if user is None:
        raise _bad("user not found")
    return {"status": "member", "user": user.user_dict}


async def _close(api: FakeBotApi, call: ApiCall) -> Any:
    api.closed = True
    return True


async def _log_out(api: FakeBotApi, call: ApiCall) -> Any:
    api.logged_out = True
    return True


_HANDLERS: dict[str, Any] = {
    "getMe": _get_me,
    "getUpdates": _get_updates,
    "deleteWebhook": _delete_webhook,
    "setWebhook": _set_webhook,
    "getWebhookInfo": _get_webhook_info,
    "setMyCommands": _set_my_commands,
    "getMyCommands": _get_my_commands,
    "deleteMyCommands": _delete_my_commands,
    "setMyDescription": _set_description("description", 512),
    "setMyShortDescription": _set_description("short_description", 120),
    "getMyDescription": _get_description("description"),
    "getMyShortDescription": _get_description("short_description"),
    "sendMessage": _send_message,
    **{method: _send_media for method in _MEDIA_KINDS},
    "sendLocation": _send_location,
    "sendVenue": _send_location,
    "sendContact": _send_contact,
    "sendDice": _send_dice,
    "sendMediaGroup": _send_media_group,
    "sendChatAction": _send_chat_action,
    "copyMessage": _copy_message,
    "forwardMessage": _forward_message,
    "editMessageText": _edit_message_text,
    "editMessageCaption": _edit_message_caption,
    "editMessageReplyMarkup": _edit_message_reply_markup,
    "deleteMessage": _delete_message,
    "deleteMessages": _delete_message,
    "answerCallbackQuery": _answer_callback_query,
    "getFile": _get_file,
    "getChat": _get_chat,
    "getChatMember": _get_chat_member,
    "close": _close,
    "logOut": _log_out,
}
# Telegram matches method names case-insensitively.
_CANONICAL = {name.lower(): name for name in _HANDLERS}
