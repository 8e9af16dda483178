"""The fake Bot API's send methods: sendMessage, the media and other kinds, media groups, copy and forward."""

from __future__ import annotations

import copy
from typing import Any

from ._text import utf16_len
from .messages import Messages
from .records import ApiCall
from .values import _CONTENT_KEYS, _MEDIA_KINDS, _bad, _chat_key, _float, _int


async def _send_message(api: Messages, call: ApiCall) -> Any:
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


async def _send_media(api: Messages, call: ApiCall) -> Any:
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


async def _send_location(api: Messages, call: ApiCall) -> Any:
    p = call.params
    location = {"latitude": _float(p.get("latitude")), "longitude": _float(p.get("longitude"))}
    if call.method == "sendVenue":
        content = {
            "venue": {"location": location, "title": p.get("title", ""), "address": p.get("address", "")},
            "location": location,
        }
    else:
        content = {"location": location}
    return api._new_message(call, content).raw


async def _send_contact(api: Messages, call: ApiCall) -> Any:
    p = call.params
    contact = {"phone_number": str(p.get("phone_number", "")), "first_name": str(p.get("first_name", ""))}
    if p.get("last_name"):
        contact["last_name"] = str(p["last_name"])
    return api._new_message(call, {"contact": contact}).raw


async def _send_dice(api: Messages, call: ApiCall) -> Any:
    return api._new_message(call, {"dice": {"emoji": call.params.get("emoji", "🎲"), "value": 6}}).raw


async def _send_media_group(api: Messages, call: ApiCall) -> Any:
    media = call.params.get("media")
    if not isinstance(media, list) or not 2 <= len(media) <= 10:
        raise _bad("media must include 2-10 items")
    group_id = str(next(api._seq) + 10**12)
    results = []
    for item in media:
        kind = item.get("type", "photo")
        params = {
            **call.params,
            kind: item.get("media"),
            "caption": item.get("caption"),
            "parse_mode": item.get("parse_mode"),
        }
        content, upload = api._media_content(params, call.files, kind)
        if item.get("caption"):
            content["caption"], _ = api._text_and_entities(params, "caption")
        content["media_group_id"] = group_id
        results.append(api._new_message(call, content, upload=upload, params=params).raw)
    return results


async def _send_chat_action(api: Messages, call: ApiCall) -> Any:
    api.chat_actions.append((_chat_key(call.params.get("chat_id")), str(call.params.get("action"))))
    return True


def _source_message(api: Messages, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The message to copy or forward (``from_chat_id``, ``message_id``) and a copy of its content."""
    from_chat = _chat_key(params.get("from_chat_id"))
    if isinstance(from_chat, str):
        from_chat = api._chat(from_chat)["id"]
    source = api._store.get((from_chat, _int(params.get("message_id")) or 0))  # type: ignore[arg-type]
    if source is None:
        raise _bad("message to copy not found")
    return source, {k: copy.deepcopy(v) for k, v in source.items() if k in _CONTENT_KEYS}


async def _copy_message(api: Messages, call: ApiCall) -> Any:
    _, content = _source_message(api, call.params)
    if "caption" in call.params:
        content["caption"], entities = api._text_and_entities(call.params, "caption")
        content.pop("caption_entities", None)
        if entities:
            content["caption_entities"] = entities
    record = api._new_message(call, content)
    return {"message_id": record.message_id}


async def _forward_message(api: Messages, call: ApiCall) -> Any:
    source, content = _source_message(api, call.params)
    origin = source.get("forward_origin")
    if origin is None:
        sender = source.get("from")
        if sender is not None:
            origin = {"type": "user", "date": source["date"], "sender_user": sender}
        else:
            origin = {
                "type": "channel",
                "date": source["date"],
                "chat": source["chat"],
                "message_id": source["message_id"],
            }
    content["forward_origin"] = copy.deepcopy(origin)
    params = {k: v for k, v in call.params.items() if k != "reply_markup"}
    return api._new_message(call, content, params=params).raw


#: The Bot API methods that send, by name.
METHODS: dict[str, Any] = {
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
}
