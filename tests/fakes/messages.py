"""The fake Bot API's message store: every message of every chat, and the new messages the bot sends."""

from __future__ import annotations

import asyncio
import copy
import time
from typing import Any

from ._http import UploadedFile
from ._text import EntityParseError, plain_text
from .faults import Faults
from .files import Files
from .records import ApiCall, Interaction, SentMessage
from .values import _bad, _bool, _chat_key, _message_key


class Messages(Files, Faults):
    """Messages kept by (chat, message id); the bot's own as ``SentMessage`` records."""

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        return [m for m in self.messages if m.chat_id == chat_id and not m.deleted]

    def message(self, chat_id: int, message_id: int) -> SentMessage | None:
        return self._sent_index.get((chat_id, message_id))

    def _next_message_id(self) -> int:
        return next(self._message_ids)

    def _store_message(self, message: dict[str, Any]) -> None:
        self._store[_message_key(message)] = message

    def _resolve_message(
        self, message: SentMessage | Interaction | dict[str, Any] | int, chat_id: int
    ) -> dict[str, Any]:
        if isinstance(message, SentMessage):
            return message.raw
        if isinstance(message, Interaction):
            assert message.message is not None, "that interaction carried no message"
            key = _message_key(message.message)
        elif isinstance(message, dict):
            key = _message_key(message)
        else:
            key = (chat_id, int(message))
        if key not in self._store:
            raise AssertionError(f"no message {key[1]} in chat {key[0]}")
        return self._store[key]

    def _reply_to(self, params: dict[str, Any], chat_id: int) -> dict[str, Any] | None:
        reply = params.get("reply_parameters")
        if reply is None and params.get("reply_to_message_id") is not None:
            reply = {
                "message_id": int(params["reply_to_message_id"]),
                "allow_sending_without_reply": _bool(params.get("allow_sending_without_reply")),
            }
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

    def _new_message(
        self,
        call: ApiCall,
        content: dict[str, Any],
        *,
        count: bool = True,
        upload: UploadedFile | None = None,
        params: dict[str, Any] | None = None,
    ) -> SentMessage:
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
        record = SentMessage(
            raw=message,
            method=call.method,
            params=params,
            sent_at=asyncio.get_running_loop().time(),
            reply_markup=markup if isinstance(markup, dict) else None,
            upload=upload,
        )
        self.messages.append(record)
        self._sent_index[(chat["id"], record.message_id)] = record
        call.messages.append(record)
        if count:
            self._count_send(chat["id"])
        return record
