"""What an alert says: the sender's words split by language, the message villagers see, and the
sender's progress and final count. Shared by the bot, the delivery engine and the command line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core import language
from bot.core.types import Reply
from bot.store.alerts import ALL, Counts
from bot.store.models import Village
from bot.store.roster import normalise_code
from intents.faq import Faq

TEXT_MAX = 4096  # one Telegram message
CAPTION_MAX = 1024  # one photo's caption
BAR_WIDTH = 12
_EN_MARK = re.compile(r"(?:^|\s)--en(?:\s+|$)")
_COMMAND = re.compile(r"^/\S*\s*(\S*)\s*(.*)$", re.S)


@dataclass(frozen=True)
class Words:
    """An alert's text in each language ("" where the sender gave none)."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        """The text in `lang`, else in the other language."""
        mine, other = (self.zh, self.en) if lang == "zh" else (self.en, self.zh)
        return mine or other

    @property
    def empty(self) -> bool:
        return not (self.zh or self.en)


def split_command(text: str) -> tuple[str, str]:
    """`/alert QS001 some words` -> ("QS001", "some words"), keeping the words' line breaks."""
    found = _COMMAND.match(text.strip())
    return (found.group(1), found.group(2).strip()) if found else ("", "")


def split_languages(body: str, english: str = "") -> Words:
    """The sender's words by language: `中文 --en English`, `中文 | English`, or one language alone
    (Chinese when it has Chinese characters, else English)."""
    if not english:
        marked = _EN_MARK.search(body)
        if marked:
            body, english = body[: marked.start()], body[marked.end() :]
        elif "|" in body:
            body, _, english = body.partition("|")
    body, english = body.strip(), english.strip()
    if body and not english and language.detect(body) == "en":
        return Words("", body)
    return Words(body, english)


def villager_reply(faq: Faq, words: Words, lang: str, photo: str | None = None) -> Reply:
    """The alert as a villager reading `lang` sees it."""
    return Reply(faq.message("alert.villager", lang, text=words.get(lang)), photo=photo)


def group_reply(faq: Faq, words: Words, lang: str, photo: str | None = None) -> Reply:
    """The alert as a linked village group sees it: the alert alone, nothing meant for one person
    (no "/alerts off": that is each villager's own choice, made privately)."""
    return Reply(faq.message("alert.group", lang, text=words.get(lang)), photo=photo)


def too_long(faq: Faq, words: Words, photo: str | None) -> int | None:
    """The longest villager message's length when it would not fit one message (or caption)."""
    limit = CAPTION_MAX if photo else TEXT_MAX
    longest = max(len(villager_reply(faq, words, lang).text) for lang in ("zh", "en"))
    return longest if longest > limit else None


def scope_label(faq: Faq, scope: str, villages: list[Village], lang: str) -> str:
    """`all` -> the whole county; a village code -> its name and code; a town -> its name."""
    if scope.strip().lower() == ALL:
        return faq.message("alert.scope_all", lang)
    if len(villages) == 1 and villages[0].code == normalise_code(scope):
        return f"{villages[0].name} ({villages[0].code})"
    return scope.strip()


def bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """A text progress bar: ▓▓▓▓░░░░ 50%."""
    share = done / total if total else 1.0
    filled = round(share * width)
    return f"{'▓' * filled}{'░' * (width - filled)} {int(share * 100)}%"


def duration(faq: Faq, lang: str, seconds: float) -> str:
    """3 s, 4 min 05 s, 1 h 20 min."""
    whole = max(0, round(seconds))
    if whole < 60:
        return faq.message("alert.time.s", lang, s=whole)
    if whole < 3600:
        return faq.message("alert.time.ms", lang, m=whole // 60, s=f"{whole % 60:02d}")
    return faq.message("alert.time.hm", lang, h=whole // 3600, m=f"{whole // 60 % 60:02d}")


def progress(faq: Faq, lang: str, number: int, label: str, counts: Counts, eta: float | None) -> str:
    """The sender's live progress message."""
    eta_text = duration(faq, lang, eta) if eta is not None else "…"
    return faq.message("alert.progress", lang, **_figures(number, label, counts), left=counts.pending, eta=eta_text)


def finished(faq: Faq, lang: str, key: str, number: int, label: str, counts: Counts, took: float) -> str:
    """The progress message's last state (`alert.done`) or the final count (`alert.final`)."""
    return faq.message(key, lang, **_figures(number, label, counts), total=counts.total, took=duration(faq, lang, took))


def _figures(number: int, label: str, counts: Counts) -> dict[str, object]:
    """What the progress message and the final count both show."""
    return {
        "number": number,
        "scope": label,
        "bar": bar(counts.finished, counts.total),
        "sent": counts.sent,
        "failed": counts.failed,
        "blocked": counts.blocked,
    }
