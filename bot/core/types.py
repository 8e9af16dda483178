"""Plain values between channels and the core: what came in, what goes out. No `telegram` here."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Attachment:
    kind: str  # photo | document | voice
    file_id: str
    name: str = ""
    text: str = ""  # the words a photo shows, read by the channel (bot/reading.py); "" when none


@dataclass(frozen=True)
class Incoming:
    """One thing a user did: a text, a command, a button press or another kind of message."""

    user_id: int
    chat_id: int
    text: str = ""
    command: str | None = None  # without the slash, lower case
    args: tuple[str, ...] = ()
    button: str | None = None  # callback data of a pressed button
    kind: str = "text"  # text | command | button | photo | sticker | voice | location | contact | other
    # | joined | left: the bot was added to (removed from) the group `chat_id`
    lang_hint: str | None = None  # the client's language, for a user we do not know yet
    attachments: tuple[Attachment, ...] = ()
    forwarded: bool = False
    reply_to: int | None = None  # the message id this message replies to
    reply_to_text: str = ""  # the text of the message replied to (for /check as a reply)
    reply_to_attachments: tuple[Attachment, ...] = ()  # its photo or file (for /photo as a reply)
    message_id: int | None = None
    update_id: int | None = None
    name: str = ""  # the user's display name
    chat_type: str = "private"  # private | group | supergroup | channel: where it was said
    chat_title: str = ""  # a group's title (kept when the group is linked to a village)
    contact_phone: str = ""  # a shared contact's phone number (kind "contact")
    contact_own: bool = False  # the contact is the sender's own ("send my number"), not someone else's
    heard: bool = False  # a voice note: `text` is what the channel heard in it (voice/hearing.py), not typed

    @property
    def in_group(self) -> bool:
        """Said in a group, where everything the bot answers is read by everyone there."""
        return self.chat_type != "private"


@dataclass(frozen=True)
class Button:
    label: str
    data: str = ""  # callback data, or
    url: str = ""  # a link to open instead (e.g. the bot's private chat)


@dataclass(frozen=True)
class Speech:
    """Words to send as a voice note: the channel renders them (voice/voicenote.py for Telegram)."""

    text: str
    lang: str


@dataclass(frozen=True)
class Reply:
    """A message to show: text, optional rows of buttons and an optional photo or document."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    photo: str | None = None
    ref: str | None = None  # what this message stands for (e.g. `request:12`), for replies to it
    reply_to: int | None = None  # sent as a reply to this message of the same chat
    voice: Speech | None = None  # sent as a voice note, `text` its caption
    # Below the message, in place of inline `buttons` (a message has one keyboard): the persistent
    # keyboard of big buttons whose labels are sent as text, the one button that shares the
    # person's phone number, or Telegram's reply box opened on this message.
    keyboard: tuple[tuple[str, ...], ...] = ()
    contact_button: str = ""
    force_reply: bool = False
    edit: int | None = None  # not a new message: this message of the chat, rewritten (text and buttons)
    document: str | None = None  # a file's path, sent as a document under its own name, `text` its caption


@dataclass(frozen=True)
class Outcome:
    replies: tuple[Reply, ...] = ()
    state: str | None = None  # the conversation state after this step, for the channel's handler
    notes: tuple[str, ...] = field(default=())  # what happened, for the console and logs
    queued: int = 0  # messages put in the outbox for other people: the channel sends them soon
    reloaded: bool = False  # the FAQ changed and the core reloaded it: a channel in another process reloads too

    @staticmethod
    def text(text: str, *buttons: tuple[Button, ...]) -> Outcome:
        return Outcome((Reply(text, tuple(buttons)),))


@dataclass(frozen=True)
class Aside:
    """A step's verdict on text that does not answer it (a question, a cry for help): the text is
    answered as any free text would be, then the step asks again (`ask_again`, a message key),
    or is over when `ask_again` is None."""

    ask_again: str | None
    buttons: tuple[tuple[Button, ...], ...] = ()  # ride on the ask_again message (e.g. a way out)


def parse_text(text: str) -> tuple[str | None, tuple[str, ...]]:
    """`/start QS001` -> ("start", ("QS001",)); plain text -> (None, ()). `/cmd@bot` drops `@bot`."""
    if not text.startswith("/") or len(text) < 2 or text[1].isspace():
        return None, ()
    head, *rest = text[1:].split(maxsplit=1)  # any space: a Chinese input method types U+3000
    return head.split("@", 1)[0].lower(), tuple(rest[0].split() if rest else ())


def text_message(user_id: int, chat_id: int, text: str, **extra: object) -> Incoming:
    """An `Incoming` for a typed line: a command when it starts with a slash."""
    command, args = parse_text(text)
    kind = "command" if command else "text"
    return Incoming(user_id, chat_id, text=text, command=command, args=args, kind=kind, **extra)  # type: ignore[arg-type]
