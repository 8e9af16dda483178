"""Checking one FAQ entry against the schema: intents, texts, red flags, calibration, urgency lists.

Each function appends what is wrong, with its file and line, to `problems`, and returns what loaded.
"""

from __future__ import annotations

import re
from typing import Any

from intents.faq_model import (
    KINDS,
    LANGS,
    MAX_ANSWER,
    MAX_FIRST,
    MAX_FLAGS,
    MAX_LEAD,
    MAX_SPEECH,
    MIN_ENGLISH,
    MIN_EXAMPLES,
    STATION,
    STATION_MARK,
    Intent,
    Lines,
    Problem,
    SemanticCalibration,
    Text,
    first_message,
)
from intents.faq_yaml import strip_marks
from intents.urgency import GROUPS as URGENCY_GROUPS

_ENGLISH = re.compile(r"^[\x00-\x7f]*[A-Za-z]{2,}[\x00-\x7f]*$")
_ID = re.compile(r"^(fraud|service|chat)\.[a-z][a-z0-9_]*$")


def calibration_of(raw: Any, name: str, line: int, problems: list[Problem]) -> tuple[float, float, float, float] | None:
    values = strip_marks(raw)
    keys = ("bias", "best", "margin", "out_of_scope")
    if not isinstance(values, dict) or any(not isinstance(values.get(k), int | float) for k in keys):
        problems.append(Problem(name, line, f"calibration: expected numbers {', '.join(keys)}"))
        return None
    return (float(values["bias"]), float(values["best"]), float(values["margin"]), float(values["out_of_scope"]))


def semantic_calibration_of(raw: Any, name: str, line: int, problems: list[Problem]) -> SemanticCalibration | None:
    values = strip_marks(raw)
    keys = ("bias", *SemanticCalibration.KEYS)
    if (
        not isinstance(values, dict)
        or not isinstance(values.get("encoder"), str)
        or any(not isinstance(values.get(k), int | float) for k in keys)
    ):
        problems.append(Problem(name, line, f"semantic: expected an encoder name and numbers {', '.join(keys)}"))
        return None
    weights = tuple(float(values[k]) for k in SemanticCalibration.KEYS)
    return SemanticCalibration(values["encoder"], float(values["bias"]), weights)


def urgency_of(raw: Any, name: str, problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    """The urgency word lists: a mapping of known groups to lists of phrases."""
    line = raw.get("__line__", 1) if isinstance(raw, dict) else 1
    if not isinstance(raw, dict):
        problems.append(Problem(name, line, "urgency: expected a mapping of word lists"))
        return {}
    groups: dict[str, tuple[str, ...]] = {}
    for group, words in strip_marks(raw).items():
        if group not in URGENCY_GROUPS or not isinstance(words, list):
            expected = f"expected a list, one of {', '.join(URGENCY_GROUPS)}"
            problems.append(Problem(name, line, f"urgency.{group}: {expected}"))
            continue
        groups[group] = tuple(str(w).strip() for w in words if str(w).strip())
    return groups


def list_of(data: dict[str, Any], key: str, name: str, problems: list[Problem]) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(Problem(name, data.get("__line__", 1), f"`{key}` must be a list"))
        return []
    return value


def text_of(raw: Any, what: str, name: str, line: int, problems: list[Problem]) -> Text | None:
    if not isinstance(raw, dict):
        problems.append(Problem(name, line, f"{what}: expected zh and en texts"))
        return None
    line = raw.get("__line__", line)
    values = {}
    for lang in LANGS:
        value = raw.get(lang)
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(name, line, f"{what}: missing or empty language {lang}"))
            return None
        values[lang] = value.strip()
    return Text(**values)


def intent_of(raw: Any, name: str, problems: list[Problem]) -> Intent | None:
    if not isinstance(raw, dict):
        problems.append(Problem(name, 1, "an intent must be a mapping"))
        return None
    line = raw.get("__line__", 1)
    before = len(problems)
    intent_id = raw.get("id")
    if not isinstance(intent_id, str) or not _ID.match(intent_id):
        problems.append(Problem(name, line, f"bad or missing id {intent_id!r} (kind.name, lower case)"))
        return None
    kind = raw.get("kind")
    if kind not in KINDS:
        problems.append(Problem(name, line, f"{intent_id}: unknown kind {kind!r} (one of {', '.join(KINDS)})"))
    elif not intent_id.startswith(kind + "."):
        problems.append(Problem(name, line, f"{intent_id}: kind {kind} does not match the id"))
    title = text_of(raw.get("title"), f"{intent_id} title", name, line, problems)
    answer = text_of(raw.get("answer"), f"{intent_id} answer", name, line, problems)
    speech = text_of(raw.get("speech"), f"{intent_id} speech", name, line, problems)
    lead = text_of(raw.get("lead"), f"{intent_id} lead", name, line, problems)
    flags = _lines(strip_marks(raw.get("flags")), f"{intent_id} flags", name, line, problems)
    examples = [str(e).strip() for e in raw.get("examples") or [] if str(e).strip()]
    example_lines = raw.get("__lines__examples") or [line] * len(examples)
    keywords = [str(k).strip() for k in raw.get("keywords") or [] if str(k).strip()]
    synonyms = {str(k).strip(): str(v).strip() for k, v in strip_marks(raw.get("synonyms") or {}).items()}
    if len(examples) < MIN_EXAMPLES:
        problems.append(Problem(name, line, f"{intent_id}: {len(examples)} examples, at least {MIN_EXAMPLES}"))
    if sum(bool(_ENGLISH.match(e)) for e in examples) < MIN_ENGLISH:
        problems.append(Problem(name, line, f"{intent_id}: fewer than {MIN_ENGLISH} English examples"))
    if not keywords:
        problems.append(Problem(name, line, f"{intent_id}: no keywords"))
    for variant, keyword in synonyms.items():
        if keyword not in keywords:
            problems.append(Problem(name, line, f"{intent_id}: synonym {variant} -> {keyword}: not a keyword"))
    for lang in LANGS:
        if answer and len(answer.get(lang)) > MAX_ANSWER:
            problems.append(Problem(name, line, f"{intent_id}: {lang} answer longer than {MAX_ANSWER} characters"))
        if answer and answer.get(lang).startswith(("【", "[")):
            # the bot shows the title above every answer: a heading of its own would show twice
            problems.append(Problem(name, line, f"{intent_id}: {lang} answer starts with a heading; the title is one"))
        if speech and len(speech.get(lang)) > MAX_SPEECH:
            problems.append(Problem(name, line, f"{intent_id}: {lang} speech longer than {MAX_SPEECH} characters"))
        if lead and len(lead.get(lang)) > MAX_LEAD:
            problems.append(Problem(name, line, f"{intent_id}: {lang} lead longer than {MAX_LEAD} characters"))
    problems += _station_marks(intent_id, answer, (title, lead, speech), flags, name, line)
    if title and lead and flags:
        for lang in LANGS:
            first = first_message(title, lead, flags, lang)
            if len(first) > MAX_FIRST:
                message = f"{intent_id}: {lang} first message {len(first)} characters, more than {MAX_FIRST}"
                problems.append(Problem(name, line, message, "warning"))
    if kind == "fraud" and flags and not flags.zh:
        problems.append(Problem(name, line, f"{intent_id}: a fraud answer lists its red flags", "warning"))
    routable = raw.get("routable", kind == "service")
    urgent = raw.get("urgent", False)
    if not isinstance(routable, bool) or not isinstance(urgent, bool):
        problems.append(Problem(name, line, f"{intent_id}: routable and urgent must be true or false"))
    errors = [p for p in problems[before:] if p.severity == "error"]
    if errors or title is None or answer is None or speech is None or lead is None or flags is None:
        return None
    return Intent(
        id=intent_id,
        kind=str(kind),
        title=title,
        examples=tuple(examples),
        keywords=tuple(keywords),
        synonyms=synonyms,
        answer=answer,
        speech=speech,
        routable=bool(routable),
        urgent=bool(urgent),
        source=name,
        line=line,
        example_lines=tuple(example_lines[: len(examples)]),
        lead=lead,
        flags=flags,
    )


def _lines(raw: Any, what: str, name: str, line: int, problems: list[Problem]) -> Lines | None:
    """At most five short items in each language (none is allowed, in both)."""
    if raw is None:
        return Lines()
    if not isinstance(raw, dict) or any(not isinstance(raw.get(lang, []), list) for lang in LANGS):
        problems.append(Problem(name, line, f"{what}: expected zh and en lists"))
        return None
    values = {lang: tuple(str(v).strip() for v in raw.get(lang) or [] if str(v).strip()) for lang in LANGS}
    if bool(values["zh"]) != bool(values["en"]):  # English says fewer in one screen: not as many, but some
        problems.append(Problem(name, line, f"{what}: in one language only"))
    if len(values["zh"]) > MAX_FLAGS or len(values["en"]) > MAX_FLAGS:
        problems.append(Problem(name, line, f"{what}: more than {MAX_FLAGS}"))
    return Lines(**values)


def _station_marks(
    intent_id: str, answer: Text | None, others: tuple[Text | None, ...], flags: Lines | None, name: str, line: int
) -> list[Problem]:
    """Station facts (`{station_phone}`) only in answers, and only known ones."""
    found: list[Problem] = []
    for lang in LANGS:
        for mark in STATION_MARK.findall(answer.get(lang) if answer else ""):
            if mark not in STATION:
                found.append(Problem(name, line, f"{intent_id}: unknown {{{mark}}} (one of {', '.join(STATION)})"))
        shown = [t.get(lang) for t in others if t] + list(flags.get(lang) if flags else ())
        if any(STATION_MARK.search(text) for text in shown):
            found.append(Problem(name, line, f"{intent_id}: {lang}: station facts belong in the answer only"))
    return found
