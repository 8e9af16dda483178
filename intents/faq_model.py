"""The FAQ's values: intents, texts in both languages, the problems a check reports, and its limits.

Frozen dataclasses, built by intents/faq_schema.py from faq/*.yaml and read everywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intents.dialect import DialectTables

LANGS = ("zh", "en")
KINDS = ("fraud", "service", "chat")
MAX_ANSWER = 4096
MAX_SPEECH = 200
MAX_LEAD = 120  # what to do now, before anything else
MAX_FLAGS = 5
MAX_FIRST = 150  # the first message (title, lead, flags): one phone screen at 1.3x font
# facts only the station knows, written `{station_phone}` in an answer and filled from config.yaml
# (`app.station_phone`, ...); a line whose fact is not set is left out rather than shown half-empty
STATION = ("station_phone", "station_online")
STATION_MARK = re.compile(r"\{(station_[a-z_]+)\}")
MIN_EXAMPLES = 10
MIN_ENGLISH = 2


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class Text:
    """A text in both languages."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Lines:
    """A short list in both languages (the red flags of an intent)."""

    zh: tuple[str, ...] = ()
    en: tuple[str, ...] = ()

    def get(self, lang: str) -> tuple[str, ...]:
        return self.en if lang == "en" else self.zh


def first_message(title: Text, lead: Text, flags: Lines, lang: str) -> str:
    return "\n".join([f"【{title.get(lang)}】", lead.get(lang), *(f"• {flag}" for flag in flags.get(lang))])


@dataclass(frozen=True)
class Intent:
    id: str
    kind: str
    title: Text
    examples: tuple[str, ...]
    keywords: tuple[str, ...]
    synonyms: Mapping[str, str]
    answer: Text
    speech: Text
    routable: bool = False
    urgent: bool = False
    source: str = ""
    line: int = 0
    example_lines: tuple[int, ...] = ()
    example_files: tuple[str, ...] = ()  # where each example is written, when not all in `source` (reviewed.yaml)
    lead: Text = Text("", "")  # what to do now: the first message leads with it
    flags: Lines = Lines()  # at most five red flags, under the lead

    def first(self, lang: str) -> str:
        """The first message: the title, what to do now and the red flags; the rest is behind "More"."""
        return first_message(self.title, self.lead if self.lead.zh else self.speech, self.flags, lang)

    def full(self, lang: str) -> str:
        """The whole answer, as the "More" button shows it."""
        return f"【{self.title.get(lang)}】\n{self.answer.get(lang)}"

    @property
    def short(self) -> str:
        """`service.hukou_newborn` -> `hukou_newborn`."""
        return self.id.split(".", 1)[1]

    @property
    def evidence(self) -> tuple[str, ...]:
        """Keywords and their synonyms: the words that point at this intent."""
        return tuple(dict.fromkeys([*self.keywords, *self.synonyms]))


@dataclass(frozen=True)
class SemanticCalibration:
    """The confidence when the sentence encoder has read a question (intents/semantic.py):
    sigmoid(bias + weights . signals), learned for one encoder by `cunjing faq calibrate`."""

    encoder: str
    bias: float
    weights: tuple[float, ...]  # in the order of KEYS

    KEYS = (
        "best",
        "margin",
        "out_of_scope",
        "meaning_best",
        "meaning_out_of_scope",
        "meaning_agrees",
        "meaning_margin",
    )


@dataclass(frozen=True)
class Faq:
    intents: Mapping[str, Intent]
    out_of_scope: tuple[str, ...] = ()
    typos: Mapping[str, str] = field(default_factory=dict)
    messages: Mapping[str, Text] = field(default_factory=dict)
    directory: Path = Path(".")
    calibration: tuple[float, float, float, float] | None = None  # see `cunjing faq calibrate`
    urgency: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # word lists: is it happening now?
    dialect: DialectTables = field(default_factory=DialectTables)  # faq/dialect.yaml: read back into Mandarin
    semantic: SemanticCalibration | None = None  # the same, with the sentence encoder's signals

    def __getitem__(self, intent_id: str) -> Intent:
        return self.intents[intent_id]

    def get(self, intent_id: str | None) -> Intent | None:
        return self.intents.get(intent_id) if intent_id else None

    def by_kind(self, kind: str) -> list[Intent]:
        return [i for i in self.intents.values() if i.kind == kind]

    def message(self, key: str, lang: str, **params: Any) -> str:
        """The text of message `key` in `lang`, with `{name}` placeholders filled."""
        text = self.messages.get(key)
        if text is None:
            return key
        template = text.get(lang)
        return template.format(**params) if params else template
