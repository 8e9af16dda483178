"""Loading the FAQ content (faq/*.yaml) into typed, frozen values.

Every problem is reported with its file and line. `load_faq` raises `FaqError` listing all of
them, so a bad FAQ never reaches the bot; `check_faq` returns them for `cunjing faq validate`.
The values live in intents/faq_model.py, the YAML reading in intents/faq_yaml.py and the schema
checks in intents/faq_schema.py; their public names are importable from here too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.errors import FaqError
from intents import dialect as dialect_tables
from intents.dialect import DialectTables
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
    Faq,
    Intent,
    Lines,
    Problem,
    SemanticCalibration,
    Text,
    first_message,
)
from intents.faq_schema import calibration_of, intent_of, list_of, semantic_calibration_of, text_of, urgency_of
from intents.faq_yaml import read_yaml, strip_marks

__all__ = [
    "KINDS",
    "LANGS",
    "MAX_ANSWER",
    "MAX_FIRST",
    "MAX_FLAGS",
    "MAX_LEAD",
    "MAX_SPEECH",
    "MIN_ENGLISH",
    "MIN_EXAMPLES",
    "REVIEWED_OUT",
    "STATION",
    "Faq",
    "Intent",
    "Lines",
    "Problem",
    "Text",
    "catalogue_ids",
    "check_catalogue",
    "check_messages",
    "fill_station",
    "first_message",
    "for_station",
    "load_faq",
    "parse_faq",
    "read_yaml",
    "strip_marks",
]


def _files(directory: Path) -> Iterator[Path]:
    yield from sorted(directory.glob("*.yaml"))


def parse_faq(directory: Path) -> tuple[Faq, list[Problem]]:
    """Read every FAQ file of `directory`; return what loaded and every problem found."""
    problems: list[Problem] = []
    intents: dict[str, Intent] = {}
    out_of_scope: list[str] = []
    typos: dict[str, str] = {}
    messages: dict[str, Text] = {}
    calibration: tuple[float, float, float, float] | None = None
    semantic: SemanticCalibration | None = None
    urgency: dict[str, tuple[str, ...]] = {}
    dialect = DialectTables()
    reviewed: list[tuple[Any, str]] = []
    if not directory.is_dir():
        return Faq({}, directory=directory), [Problem(str(directory), 0, "FAQ directory not found")]
    for path in _files(directory):
        data, read_problems = read_yaml(path)
        problems += read_problems
        if not isinstance(data, dict):
            if not read_problems:
                problems.append(Problem(str(path), 1, "expected a mapping at the top level"))
            continue
        name = str(path)
        for raw in list_of(data, "intents", name, problems):
            intent = intent_of(raw, name, problems)
            if intent is None:
                continue
            if intent.id in intents:
                first = intents[intent.id]
                problems.append(
                    Problem(name, intent.line, f"duplicate id {intent.id} (first at {first.source}:{first.line})")
                )
                continue
            intents[intent.id] = intent
        out_of_scope += [str(q) for q in list_of(data, "out_of_scope", name, problems)]
        reviewed += [(entry, name) for entry in list_of(data, "reviewed", name, problems)]
        if "urgency" in data:
            urgency.update(urgency_of(data["urgency"], name, problems))
        typos.update({str(k): str(v) for k, v in strip_marks(data.get("typos") or {}).items()})
        if "dialect" in data:
            raw_dialect = data["dialect"]
            at = raw_dialect.get("__line__", 1) if isinstance(raw_dialect, dict) else data.get("__line__", 1)
            tables, found = dialect_tables.parse(strip_marks(raw_dialect))
            problems += [Problem(name, at, m) for m in found]
            dialect = tables or dialect
        if "calibration" in data:
            calibration = calibration_of(data["calibration"], name, data.get("__line__", 1), problems)
        if "semantic" in data:
            semantic = semantic_calibration_of(data["semantic"], name, data.get("__line__", 1), problems)
        for key, raw in strip_marks(data.get("messages") or {}).items():
            text = text_of(raw, f"message {key}", name, data.get("messages", {}).get("__line__", 1), problems)
            if text is not None:
                messages[str(key)] = text
    if not intents:
        problems.append(Problem(str(directory), 0, "no intents found"))
    out_of_scope += _add_reviewed(reviewed, intents, problems)
    faq = Faq(intents, tuple(out_of_scope), typos, messages, directory, calibration, urgency, dialect, semantic)
    return faq, problems


REVIEWED_OUT = "out_of_scope"  # a reviewed question the bot must not answer from the FAQ
_REVIEWED_KEYS = ("intent", "text", "who", "when")


def _add_reviewed(entries: list[tuple[Any, str]], intents: dict[str, Intent], problems: list[Problem]) -> list[str]:
    """Questions labelled by `cunjing faq review` or `/review` (`reviewed:` lists, faq/reviewed.yaml),
    each {intent, text, who, when}: added to their intent's examples, with their own file and line;
    returns those labelled out of scope."""
    out: list[str] = []
    for raw, name in entries:
        line = raw.get("__line__", 1) if isinstance(raw, dict) else 1
        values = strip_marks(raw) if isinstance(raw, dict) else {}
        if any(not str(values.get(k) or "").strip() for k in _REVIEWED_KEYS):
            problems.append(Problem(name, line, f"reviewed: expected {', '.join(_REVIEWED_KEYS)}"))
            continue
        target, text = str(values["intent"]), str(values["text"]).strip()
        if target == REVIEWED_OUT:
            out.append(text)
        elif target not in intents:
            problems.append(Problem(name, line, f"reviewed: unknown intent {target}"))
        else:
            intent = intents[target]
            files = intent.example_files or (intent.source,) * len(intent.examples)
            intents[target] = replace(
                intent,
                examples=(*intent.examples, text),
                example_lines=(*intent.example_lines, line),
                example_files=(*files, name),
            )
    return out


def fill_station(text: str, values: Mapping[str, str]) -> str:
    """`text` with the station's facts filled in; a line naming a fact that is not set is left out."""
    kept = []
    for row in text.split("\n"):
        marks = STATION_MARK.findall(row)
        if any(not values.get(mark) for mark in marks):
            continue
        kept.append(STATION_MARK.sub(lambda m: values[m.group(1)], row))
    return "\n".join(kept)


def for_station(faq: Faq, values: Mapping[str, str]) -> Faq:
    """The FAQ with the station's facts (`app.station_phone`, ...) filled into its answers."""
    intents = {
        key: replace(i, answer=Text(fill_station(i.answer.zh, values), fill_station(i.answer.en, values)))
        for key, i in faq.intents.items()
    }
    return replace(faq, intents=intents)


def catalogue_ids(path: Path) -> tuple[dict[str, int], list[Problem]]:
    """The intent ids of the shared catalogue, with their lines."""
    data, problems = read_yaml(path)
    if problems:
        return {}, problems
    if not isinstance(data, dict) or not isinstance(data.get("intents"), dict):
        return {}, [Problem(str(path), 1, "catalogue: expected an `intents` mapping")]
    entries = data["intents"]
    return {
        str(k): (v.get("__line__", 1) if isinstance(v, dict) else 1)
        for k, v in entries.items()
        if not str(k).startswith("__line")
    }, []


def check_catalogue(faq: Faq, catalogue: Path) -> list[Problem]:
    ids, problems = catalogue_ids(catalogue)
    for intent_id, line in ids.items():
        if intent_id not in faq.intents:
            problems.append(Problem(str(catalogue), line, f"catalogue id {intent_id} missing from the FAQ"))
    return problems


def check_messages(faq: Faq, required: list[str]) -> list[Problem]:
    """Every message key the code uses must exist in both languages."""
    return [
        Problem(str(faq.directory / "messages.yaml"), 1, f"message {key} missing")
        for key in required
        if key not in faq.messages
    ]


def load_faq(directory: Path, station: Mapping[str, str] | None = None) -> Faq:
    """The FAQ of `directory` (with the station's facts filled in, when given), or `FaqError`
    listing every error."""
    faq, problems = parse_faq(directory)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise FaqError([str(p) for p in errors])
    return for_station(faq, station) if station is not None else faq
