"""Chats of the fake Bot API: a group, supergroup or channel (FakeChat), which sees only what Telegram would
deliver to the bot, and what the fake people need of the fake Bot API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from .records import FileEntry, Interaction, SentMessage


class Person(Protocol):
    """Someone who acts in a chat (a ``FakeUser``)."""

    @property
    def user_dict(self) -> dict[str, Any]: ...


class Api(Protocol):
    """What the fake people need of the fake Bot API (``FakeBotApi`` is one)."""

    bot_id: int
    bot_user: dict[str, Any]
    privacy_mode: bool
    messages: list[SentMessage]
    _query_ids: Iterator[int]
    _open_queries: dict[str, dict[str, Any]]

    def block(self, chat_id: int) -> None: ...
    def unblock(self, chat_id: int) -> None: ...
    def add_file(
        self, data: bytes, kind: str = "document", *, mime_type: str | None = None, file_name: str | None = None
    ) -> FileEntry: ...
    def _next_message_id(self) -> int: ...
    def _store_message(self, message: dict[str, Any]) -> None: ...
    def _resolve_message(
        self, message: SentMessage | Interaction | dict[str, Any] | int, chat_id: int
    ) -> dict[str, Any]: ...
    async def _interact(
        self, update: dict[str, Any], *, settle: bool, raw: bool = False, chat_id: int | None = None
    ) -> Interaction: ...
    async def _member_update(
        self, chat: dict[str, Any], by: Person, old: str, new: str, settle: bool
    ) -> Interaction: ...


class _ChatView:
    api: Api
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

    def __init__(
        self,
        api: Api,
        chat_id: int,
        title: str,
        type: str = "supergroup",
        username: str | None = None,
        member: bool = True,
        admin: bool = False,
    ) -> None:
        self.api = api
        self.id = chat_id
        self.title = title
        self.type = type
        self.username = username
        self.member = member
        self.admin = admin
        self.unseen: list[dict[str, Any]] = []  # members' messages the bot did not receive

    async def add_bot(self, by: Person, *, admin: bool = False, settle: bool = True) -> Interaction:
        """``by`` adds the bot to this group (as an administrator with ``admin=True``)."""
        old = "left" if not self.member else ("administrator" if self.admin else "member")
        self.member, self.admin = True, admin
        return await self.api._member_update(self.chat_dict, by, old, "administrator" if admin else "member", settle)

    async def remove_bot(self, by: Person, *, settle: bool = True) -> Interaction:
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
