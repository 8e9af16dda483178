"""The fake Bot API's edits and deletions of sent messages (editMessage*, deleteMessage(s))."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from .messages import Messages
from .records import ApiCall, SentMessage
from .values import _NOT_MODIFIED, _bad, _int


def _editable(api: Messages, params: dict[str, Any]) -> SentMessage:
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


def _apply_edit(api: Messages, call: ApiCall, record: SentMessage, changes: dict[str, Any], markup: Any) -> Any:
    before = {k: record.raw.get(k) for k in (*changes, "reply_markup")}
    new_markup = markup if isinstance(markup, dict) and markup.get("inline_keyboard") else None
    after = {**changes, "reply_markup": new_markup}
    if all(before.get(k) == after.get(k) for k in after):
        raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
    record.edits.append(
        {"method": call.method, "before": before, "params": call.params, "at": asyncio.get_running_loop().time()}
    )
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
    record.params = {
        **record.params,
        **{k: v for k, v in call.params.items() if k in ("text", "caption", "parse_mode")},
    }
    call.messages.append(record)
    if call.params.get("inline_message_id"):
        return True
    return record.raw


async def _edit_message_text(api: Messages, call: ApiCall) -> Any:
    record = _editable(api, call.params)
    if "text" not in record.raw:
        raise _bad("there is no text in the message to edit")
    text, entities = api._text_and_entities(call.params, "text")
    if not text.strip():
        raise _bad("message text is empty")
    return _apply_edit(api, call, record, {"text": text, "entities": entities}, call.params.get("reply_markup"))


async def _edit_message_caption(api: Messages, call: ApiCall) -> Any:
    record = _editable(api, call.params)
    caption, entities = api._text_and_entities(call.params, "caption")
    return _apply_edit(
        api, call, record, {"caption": caption or None, "caption_entities": entities}, call.params.get("reply_markup")
    )


async def _edit_message_reply_markup(api: Messages, call: ApiCall) -> Any:
    record = _editable(api, call.params)
    return _apply_edit(api, call, record, {}, call.params.get("reply_markup"))


async def _delete_message(api: Messages, call: ApiCall) -> Any:
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


#: The Bot API methods that edit or delete, by name.
METHODS: dict[str, Any] = {
    "editMessageText": _edit_message_text,
    "editMessageCaption": _edit_message_caption,
    "editMessageReplyMarkup": _edit_message_reply_markup,
    "deleteMessage": _delete_message,
    "deleteMessages": _delete_message,
}
