"""The kiosk's spoken warnings and texts (faq/warnings.yaml): loading, and checking with file and line."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import FaqError
from intents.faq import LANGS, Problem, Text, read_yaml, strip_marks

FILE = "warnings.yaml"
# Under 30 seconds spoken at the default rate: espeak-ng says about 3 Chinese characters or
# 2.5 English words a second, and a listener needs the warning short anyway.
MAX_ZH_CHARS = 90
MAX_EN_WORDS = 60
MIN_WARNINGS = 20
# The kiosk speaks only these numbers: a wrong digit in a spoken number sends people astray.
ALLOWED_NUMBERS = frozenset({"110", "96110"})
MESSAGES = ("kiosk.welcome", "kiosk.prompt", "kiosk.fallback", "kiosk.alert_lead")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Warning:
    id: str
    intent: str
    text: Text
    priority: int = 0
    line: int = 0


@dataclass(frozen=True)
class Playlist:
    warnings: tuple[Warning, ...]
    messages: Mapping[str, Text] = field(default_factory=dict)

    def message(self, key: str, lang: str) -> str:
        """The text of message `key` in `lang` (the key itself when missing: visible, never a crash)."""
        text = self.messages.get(key)
        return text.get(lang) if text else key


def _text_problems(raw: dict[str, Any], what: str, name: str, line: int) -> list[Problem]:
    problems = []
    for lang in LANGS:
        value = raw.get(lang)
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(name, line, f"{what}: missing or empty language {lang}"))
    zh, en = str(raw.get("zh") or ""), str(raw.get("en") or "")
    if len(zh.strip()) > MAX_ZH_CHARS:
        problems.append(Problem(name, line, f"{what}: zh is {len(zh.strip())} characters, at most {MAX_ZH_CHARS}"))
    if len(en.split()) > MAX_EN_WORDS:
        problems.append(Problem(name, line, f"{what}: en is {len(en.split())} words, at most {MAX_EN_WORDS}"))
    for number in sorted(set(_DIGITS.findall(zh + " " + en)) - ALLOWED_NUMBERS):
        problems.append(Problem(name, line, f"{what}: number {number}: only 110 and 96110 are spoken"))
    return problems


def _warning_problems(raw: Any, name: str, seen: dict[str, int], intents: set[str]) -> list[Problem]:
    if not isinstance(raw, dict):
        return [Problem(name, 1, "a warning must be a mapping with id, intent, zh and en")]
    line = int(raw.get("__line__", 1))
    wid = raw.get("id")
    if not isinstance(wid, str) or not _ID.match(wid):
        return [Problem(name, line, f"bad or missing warning id {wid!r} (lower case, digits, _)")]
    problems = []
    if wid in seen:
        problems.append(Problem(name, line, f"duplicate warning id {wid} (first at line {seen[wid]})"))
    else:
        seen[wid] = line
    intent = raw.get("intent")
    if not isinstance(intent, str) or not intent.startswith("fraud."):
        problems.append(Problem(name, line, f"{wid}: intent {intent!r} must be a fraud.* intent"))
    elif intent not in intents:
        problems.append(Problem(name, line, f"{wid}: unknown intent {intent}"))
    priority = raw.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int) or priority < 0:
        problems.append(Problem(name, line, f"{wid}: priority must be a whole number >= 0, got {priority!r}"))
    return problems + _text_problems(raw, wid, name, line)


def _message_problems(data: dict[str, Any], name: str) -> list[Problem]:
    raw = data.get("messages")
    line = int(data.get("__line__", 1))
    if not isinstance(raw, dict):
        return [Problem(name, line, "`messages` (the kiosk's texts) missing or not a mapping")]
    problems = []
    for key in MESSAGES:
        if key not in raw:
            problems.append(Problem(name, int(raw.get("__line__", line)), f"message {key} missing"))
    for key, text in raw.items():
        if str(key).startswith("__line"):
            continue
        if not isinstance(text, dict):
            problems.append(Problem(name, int(raw.get("__line__", line)), f"message {key}: expected zh and en"))
        else:
            problems += _text_problems(text, f"message {key}", name, int(text.get("__line__", line)))
    return problems


def check_warnings(faq_dir: Path, intent_ids: Iterable[str]) -> list[Problem]:
    """Every problem of `faq_dir`/warnings.yaml: languages, intents, lengths, numbers, duplicate ids."""
    path = faq_dir / FILE
    name = str(path)
    if not path.is_file():
        return [Problem(name, 0, "kiosk warnings file not found")]
    data, problems = read_yaml(path)
    if problems:
        return problems
    if not isinstance(data, dict) or not isinstance(data.get("warnings"), list):
        return [Problem(name, 1, "expected a `warnings` list at the top level")]
    seen: dict[str, int] = {}
    intents = set(intent_ids)
    for raw in data["warnings"]:
        problems += _warning_problems(raw, name, seen, intents)
    if len(data["warnings"]) < MIN_WARNINGS:
        problems.append(Problem(name, 1, f"{len(data['warnings'])} warnings, at least {MIN_WARNINGS}", "warning"))
    return problems + _message_problems(data, name)


def load_playlist(faq_dir: Path, intent_ids: Iterable[str] | None = None) -> Playlist:
    """The warnings and kiosk texts of `faq_dir`; FaqError listing every error (intents checked when given)."""
    path = faq_dir / FILE
    known = set(intent_ids) if intent_ids is not None else None
    data, _ = read_yaml(path)
    ids = known if known is not None else {str(w.get("intent")) for w in _items(data)}
    errors = [str(p) for p in check_warnings(faq_dir, ids) if p.severity == "error"]
    if errors:
        raise FaqError(errors)
    warnings = tuple(
        Warning(str(w["id"]), str(w["intent"]), Text(w["zh"].strip(), w["en"].strip()), int(w.get("priority", 0)),
                int(w.get("__line__", 0)))
        for w in _items(data)
    )
    messages = {str(k): Text(v["zh"].strip(), v["en"].strip()) for k, v in strip_marks(data["messages"]).items()}
    return Playlist(warnings, messages)


def _items(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, dict) or not isinstance(data.get("warnings"), list):
        return []
    return [w for w in data["warnings"] if isinstance(w, dict)]
