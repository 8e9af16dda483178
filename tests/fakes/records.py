"""What the fake Bot API records: each call (ApiCall), each message the bot sent (SentMessage), what one
injected update led to (Interaction) and each stored file (FileEntry)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._http import UploadedFile
from .values import MESSAGE_KINDS, SEND_METHODS, _chat_key


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
        for key in MESSAGE_KINDS:
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
            if (
                call.ok
                and call.method == "answerCallbackQuery"
                and query
                and call.params.get("callback_query_id") == query["id"]
            ):
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
