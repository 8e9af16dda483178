"""A fake Telegram user (FakeUser): writes, replies, forwards, edits, presses buttons and sends media, in its
private chat with the bot or in a FakeChat."""

from __future__ import annotations

import copy
import time
from typing import Any

from ._text import detect_entities
from .chats import Api, FakeChat, _ChatView
from .records import Interaction, SentMessage
from .values import FAKE_JPEG, FAKE_OGG


def _detected(text: str, key: str = "entities") -> dict[str, Any]:
    """The entities Telegram finds in a text a user typed (bot commands, mentions, links), under ``key``."""
    found = detect_entities(text)
    return {key: found} if found else {}


class FakeUser(_ChatView):
    """A Telegram user talking to the bot in a private chat (chat id == user id)."""

    def __init__(
        self,
        api: Api,
        user_id: int,
        first_name: str,
        language_code: str | None = "zh",
        last_name: str | None = None,
        username: str | None = None,
    ) -> None:
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

    async def _post(self, content: dict[str, Any], chat: FakeChat | None, settle: bool, **extra: Any) -> Interaction:
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

    async def send(
        self,
        text: str,
        *,
        chat: FakeChat | None = None,
        entities: list[dict[str, Any]] | None = None,
        settle: bool = True,
    ) -> Interaction:
        """A text message (entities such as bot_command detected like Telegram does)."""
        content: dict[str, Any] = {"text": text}
        if entities is None:
            content.update(_detected(text))
        elif entities:
            content["entities"] = entities
        return await self._post(content, chat, settle)

    async def reply_to(
        self,
        message: SentMessage | Interaction | dict[str, Any] | int,
        text: str,
        *,
        chat: FakeChat | None = None,
        settle: bool = True,
    ) -> Interaction:
        """A text message replying to an earlier message (the bot's or the user's own)."""
        chat_id = chat.id if chat else self.id
        original = self.api._resolve_message(message, chat_id)
        reply = copy.deepcopy(original)
        reply.pop("reply_to_message", None)
        content: dict[str, Any] = {"text": text, "reply_to_message": reply, **_detected(text)}
        return await self._post(content, chat, settle)

    async def forward(
        self,
        text: str,
        origin: FakeUser | FakeChat | str | dict[str, Any],
        *,
        settle: bool = True,
        date: int | None = None,
    ) -> Interaction:
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
        content: dict[str, Any] = {"text": text, "forward_origin": fwd, **_detected(text)}
        return await self._post(content, None, settle)

    async def edit(
        self, message: Interaction | dict[str, Any] | int, new_text: str, *, settle: bool = True
    ) -> Interaction:
        """Edit one of this user's earlier text messages (an ``edited_message`` update)."""
        chat_id = message.chat_id if isinstance(message, Interaction) and message.chat_id else self.id
        stored = self.api._resolve_message(message, chat_id)
        stored["text"] = new_text
        stored["edit_date"] = int(time.time())
        stored.pop("entities", None)
        stored.update(_detected(new_text))
        return await self.api._interact({"edited_message": copy.deepcopy(stored)}, settle=settle)

    async def press(
        self, label: str, *, message: SentMessage | None = None, chat: FakeChat | None = None, settle: bool = True
    ) -> Interaction:
        """Press an inline button (by label, callback_data or unique label substring) of the
        latest bot message in this chat that has it (or of ``message``)."""
        chat_id = chat.id if chat else self.id
        candidates = (
            [message]
            if message
            else [
                m for m in reversed(self.api.messages) if m.chat_id == chat_id and not m.deleted and m.inline_keyboard
            ]
        )
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

    async def send_photo(
        self, caption: str | None = None, *, data: bytes = FAKE_JPEG, chat: FakeChat | None = None, settle: bool = True
    ) -> Interaction:
        big = self.api.add_file(data, "photo")
        small = self.api.add_file(data, "photo")
        content: dict[str, Any] = {
            "photo": [
                {
                    "file_id": small.file_id,
                    "file_unique_id": small.file_unique_id,
                    "width": 90,
                    "height": 67,
                    "file_size": len(data),
                },
                {
                    "file_id": big.file_id,
                    "file_unique_id": big.file_unique_id,
                    "width": 1280,
                    "height": 960,
                    "file_size": len(data),
                },
            ]
        }
        if caption is not None:
            content.update(caption=caption, **_detected(caption, "caption_entities"))
        return await self._post(content, chat, settle)

    async def send_voice(
        self, duration: int = 3, *, data: bytes = FAKE_OGG, chat: FakeChat | None = None, settle: bool = True
    ) -> Interaction:
        entry = self.api.add_file(data, "voice", mime_type="audio/ogg")
        return await self._post(
            {
                "voice": {
                    "file_id": entry.file_id,
                    "file_unique_id": entry.file_unique_id,
                    "duration": duration,
                    "mime_type": "audio/ogg",
                    "file_size": len(data),
                }
            },
            chat,
            settle,
        )

    async def send_document(
        self,
        data: bytes,
        file_name: str = "file.bin",
        *,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        chat: FakeChat | None = None,
        settle: bool = True,
    ) -> Interaction:
        entry = self.api.add_file(data, "document", mime_type=mime_type, file_name=file_name)
        content: dict[str, Any] = {
            "document": {
                "file_id": entry.file_id,
                "file_unique_id": entry.file_unique_id,
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": len(data),
            }
        }
        if caption is not None:
            content["caption"] = caption
        return await self._post(content, chat, settle)

    async def send_sticker(
        self, emoji: str = "👍", *, chat: FakeChat | None = None, settle: bool = True
    ) -> Interaction:
        entry = self.api.add_file(b"RIFF\x00\x00\x00\x00WEBP", "sticker", mime_type="image/webp")
        return await self._post(
            {
                "sticker": {
                    "file_id": entry.file_id,
                    "file_unique_id": entry.file_unique_id,
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                    "emoji": emoji,
                    "set_name": "FakePack",
                }
            },
            chat,
            settle,
        )

    async def send_location(
        self,
        latitude: float = 39.9042,
        longitude: float = 116.4074,
        *,
        chat: FakeChat | None = None,
        settle: bool = True,
    ) -> Interaction:
        return await self._post({"location": {"latitude": latitude, "longitude": longitude}}, chat, settle)

    async def send_contact(
        self,
        phone: str,
        first_name: str | None = None,
        *,
        user_id: int | None = None,
        chat: FakeChat | None = None,
        settle: bool = True,
    ) -> Interaction:
        """A shared contact; by default the user's own (user_id = self.id), as "share my phone" does."""
        contact: dict[str, Any] = {"phone_number": phone, "first_name": first_name or self.first_name}
        contact["user_id"] = self.id if user_id is None and first_name is None else user_id
        if contact["user_id"] is None:
            del contact["user_id"]
        return await self._post({"contact": contact}, chat, settle)
