"""Telegram update -> `Incoming`: what the user did, in the core's plain terms."""

from __future__ import annotations

from telegram import ChatMember, Message, Update

from bot.core.types import Attachment, Incoming, parse_text

GONE = (ChatMember.LEFT, ChatMember.BANNED)  # the bot's status in a chat it can no longer write to


def kind_of(message: Message) -> str:
    if message.text is not None:
        return "text"
    if message.photo or message.document:
        return "photo"
    for kind in ("sticker", "voice", "location", "contact"):
        if getattr(message, kind, None):
            return kind
    if message.audio or message.video_note:
        return "voice"
    return "other"


def attachments(message: Message) -> tuple[Attachment, ...]:
    if message.photo:
        return (Attachment("photo", message.photo[-1].file_id),)  # the largest size
    if message.document:
        return (Attachment("document", message.document.file_id, message.document.file_name or ""),)
    if message.voice:
        return (Attachment("voice", message.voice.file_id),)  # heard before the turn (media.py)
    return ()


def incoming(update: Update) -> Incoming | None:
    """The core's view of an update; None for updates that are not a person talking to us."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    common = {
        "user_id": user.id,
        "chat_id": chat.id,
        "chat_type": chat.type,
        "chat_title": chat.title or "",
        "lang_hint": user.language_code,
        "update_id": update.update_id,
        "name": user.full_name,
    }
    if update.my_chat_member is not None:  # the bot added to a group or removed; a private chat (un)blocked
        status = update.my_chat_member.new_chat_member.status
        return Incoming(kind="left" if status in GONE else "joined", **common)  # type: ignore[arg-type]
    if update.callback_query is not None:
        return Incoming(button=update.callback_query.data or "", kind="button", **common)  # type: ignore[arg-type]
    if update.edited_message is not None:
        return Incoming(kind="edited", message_id=update.edited_message.message_id, **common)  # type: ignore[arg-type]
    message = update.message
    if message is None:
        return None
    text = message.text or message.caption or ""
    kind = kind_of(message)
    command, args = parse_text(text) if kind == "text" else (None, ())
    reply = message.reply_to_message
    contact = message.contact  # "send my number" shares the sender's own; a forwarded card someone else's
    return Incoming(
        text=text,
        command=command,
        args=args,
        kind="command" if command else kind,
        attachments=attachments(message),
        forwarded=message.forward_origin is not None,
        reply_to=reply.message_id if reply else None,
        reply_to_text=(reply.text or reply.caption or "") if reply else "",
        reply_to_attachments=attachments(reply) if reply else (),
        message_id=message.message_id,
        contact_phone=contact.phone_number if contact else "",
        contact_own=contact is not None and contact.user_id == user.id,
        **common,  # type: ignore[arg-type]
    )
