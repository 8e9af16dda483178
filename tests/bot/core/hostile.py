"""Hostile updates for the core: what a fuzzer, a forged client or a confused villager can send.

Hypothesis strategies of `Incoming`, shared by the fuzz test (tests/bot/core/test_fuzz.py) and the
fuzz benchmark (benchmarks/fuzz.py). They reach every kind of message, every command and every
button prefix of the `Conversation`, from a villager, an officer of the demo roster and an admin,
in private chats, a village group and the duty desks.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from bot.core.types import Attachment, Incoming, text_message

VILLAGERS = (7, 8, 5000)
OFFICERS = (1001, 1002, 1003, 1004)  # the demo roster
ADMIN = 9000
ADMIN_ENV = {"CUNJING_TELEGRAM__ADMINS": f"[{ADMIN}]"}
DESKS = (-1000000000001, -1000000000002)  # the demo roster's duty desks
VILLAGE_GROUP = -1000000000099
KINDS = ("photo", "sticker", "voice", "location", "contact", "other", "edited", "joined", "left")

# What breaks naive code: NUL (PostgreSQL refuses it in text), other controls, lone surrogates,
# digits that `str.isdigit` accepts but `int` does not, numbers beyond any column, one character
# that NFKC makes eighteen, direction marks, and the words that send a turn somewhere.
NASTY = (
    "\x00", "\x01", "\x1b[2J", "\x7f", "\x85", "\x9f", "\ud800", "\udfff", "\r\n", "\t", "\u202e", "\u200d",
    "①", "²", "٣", "१", "ﷺ", "🧓", "👨‍👩‍👧", "\uffff", "\U0010ffff",
    "99999999999999999999", "-1", "0", "#", "#12", "1e9", "9" * 40, "ａｃｃ", "/", "@", ":", "::",
)
WORDS = (
    "被骗了", "刚转了两万", "身份证丢了怎么补办", "公安说我洗钱", "验证码", "13812345678", "110",
    "hello", "is this a scam", "zha pian", "http://pay-safe.example.cn/x", "QS001", "qs002", "BS003", "柳树湾",
    "hukou_newborn", "id_card_lost", "contact_officer", "visit", "联系", "deed", "on", "off", "zh", "en",
    "all", "青山镇（示例）", "--en", "|", "2024-05-01", "2024-13-40", "service.contact_officer",
    "service.hukou_newborn", "fraud.general_tips", "chat.help", "go", "no",
)
NUMBERS = ("1", "2", "3", "#1", "0001", "99999999999999999999", "2147483648", "①", "²", "-5", "1.5", "9" * 40)


@dataclass(frozen=True)
class Who:
    user_id: int
    chat_id: int
    chat_type: str = "private"


ANYTHING = st.text(st.characters(exclude_categories=()), max_size=40)  # surrogates and controls too
PART = st.one_of(st.sampled_from(NASTY), st.sampled_from(WORDS), st.sampled_from(NUMBERS), ANYTHING)


@st.composite
def text(draw: st.DrawFn) -> str:
    """Hostile pieces, real words, numbers and any Unicode at all; now and then (one in 25) far
    beyond Telegram's 4,096 characters: one huge word, digits, dots, pinyin, NUL."""
    if draw(st.integers(0, 24)) == 13:  # not 0: Hypothesis draws the ends of a range more often
        return draw(st.sampled_from(("a", "9", "a.", "诈骗", "\x00", "ﷺ", "ma "))) * draw(st.integers(2_000, 60_000))
    return draw(st.sampled_from(("", " ", "\n"))).join(draw(st.lists(PART, max_size=6)))


@st.composite
def who(draw: st.DrawFn) -> Who:
    """A villager, an officer or the admin, in a private chat, at a duty desk or in a village group."""
    user = draw(st.sampled_from((*VILLAGERS, *OFFICERS, ADMIN)))
    where = draw(st.sampled_from(("private", "private", "private", "desk", "group")))
    if where == "desk":
        return Who(user, draw(st.sampled_from(DESKS)), "supergroup")
    if where == "group":
        return Who(user, VILLAGE_GROUP, "group")
    return Who(user, user)


@st.composite
def incoming(draw: st.DrawFn, commands: tuple[str, ...], buttons: tuple[str, ...]) -> Incoming:
    """One update: a text, a command with arguments, a button, or another kind of message."""
    person = draw(who())
    extra = {
        "lang_hint": draw(st.sampled_from((None, "zh", "en", "en-US", "\x00", "ru"))),
        "name": draw(text()),
        "chat_type": person.chat_type,
        "forwarded": draw(st.sampled_from((False, False, False, True))),
        "reply_to": draw(st.one_of(st.none(), st.integers(0, 1200))),
        "reply_to_text": draw(text()),
        "message_id": draw(st.integers(1, 2**31)),
    }
    kind = draw(st.sampled_from(("text", "command", "command", "button", "other kinds")))
    if kind == "command":
        name = draw(st.sampled_from((*commands, "nosuch", "START", "start@CunjingBot", "\x00")))
        args = draw(st.lists(st.one_of(st.sampled_from(NUMBERS), st.sampled_from(WORDS), text()), max_size=6))
        return text_message(person.user_id, person.chat_id, " ".join([f"/{name}", *args]), **extra)
    if kind == "button":
        prefix = draw(st.sampled_from((*buttons, "nosuch", "")))
        payload = draw(st.one_of(st.sampled_from(NUMBERS), st.sampled_from(WORDS), text()))
        data = draw(st.sampled_from((f"{prefix}:{payload}", prefix, f"{prefix}:{payload}:{payload}")))
        return Incoming(person.user_id, person.chat_id, button=data, kind="button", **extra)  # type: ignore[arg-type]
    if kind == "other kinds":
        other = draw(st.sampled_from(KINDS))
        files = tuple(draw(st.lists(st.builds(Attachment, st.just("photo"), text()), max_size=3)))
        caption = draw(st.one_of(text(), st.sampled_from(("/log visit 走访了", "/alert QS001 小心", "/check 中奖"))))
        return Incoming(person.user_id, person.chat_id, text=caption, kind=other, attachments=files, **extra)  # type: ignore[arg-type]
    return text_message(person.user_id, person.chat_id, draw(text()), **extra)


def silent_by_design(msg: Incoming) -> str | None:
    """Why the bot says nothing to this update, when it deliberately says nothing; else None.
    (A duplicate update id is silent too: the test knows which ids it sent before.)"""
    if msg.kind == "left":
        return "the bot was removed from the chat: nobody to answer"
    if msg.chat_type == "private":
        return "the bot was added back: nothing was said" if msg.kind == "joined" else None
    if msg.kind == "edited":
        return "an edit in a group: nothing to answer"
    if msg.kind == "joined" or msg.command is not None or msg.button is not None:
        return None
    if msg.reply_to is None and not msg.forwarded:
        return "a group's own conversation: not addressed to the bot"
    return None
