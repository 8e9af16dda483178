"""Loading the FAQ content (faq/*.yaml) into typed, frozen values, and checking its schema.

Every problem is reported with its file and line. `load_faq` raises `FaqError` listing all of
them, so a bad FAQ never reaches the bot; `check_faq` returns them for `cunjing faq validate`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.errors import FaqError
from intents.urgency import GROUPS as URGENCY_GROUPS

LANGS = ("zh", "en")
KINDS = ("fraud", "service", "chat")
MAX_ANSWER = 4096
MAX_SPEECH = 200
MIN_EXAMPLES = 10
MIN_ENGLISH = 2
_ENGLISH = re.compile(r"^[\x00-\x7f]*[A-Za-z]{2,}[\x00-\x7f]*$")
_ID = re.compile(r"^(fraud|service|chat)\.[a-z][a-z0-9_]*$")


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

    @property
    def short(self) -> str:
        """`service.hukou_newborn` -> `hukou_newborn`."""
        return self.id.split(".", 1)[1]

    @property
    def evidence(self) -> tuple[str, ...]:
        """Keywords and their synonyms: the words that point at this intent."""
        return tuple(dict.fromkeys([*self.keywords, *self.synonyms]))


@dataclass(frozen=True)
class Faq:
    intents: Mapping[str, Intent]
    out_of_scope: tuple[str, ...] = ()
    typos: Mapping[str, str] = field(default_factory=dict)
    messages: Mapping[str, Text] = field(default_factory=dict)
    directory: Path = Path(".")
    calibration: tuple[float, float, float, float] | None = None  # see `cunjing faq calibrate`
    urgency: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # word lists: is it happening now?

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


_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser: FAQ start-up in milliseconds


class _LineLoader(_Base):
    """A safe loader that remembers the line of every mapping and of every list item."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    for key_node, value_node in node.value:
        if isinstance(value_node, yaml.SequenceNode):
            mapping[f"__lines__{key_node.value}"] = [n.start_mark.line + 1 for n in value_node.value]
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    """A file's data with line marks, or the problem that stops it loading."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(str(path), 1, f"cannot read: {exc}")]
    try:
        return yaml.load(text, Loader=_LineLoader), []
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        return None, [Problem(str(path), line, f"not valid YAML: {exc.problem}")]
    except yaml.YAMLError as exc:
        return None, [Problem(str(path), 1, f"not valid YAML: {exc}")]


def strip_marks(value: Any) -> Any:
    """The data without the loader's `__line__` marks."""
    if isinstance(value, dict):
        return {k: strip_marks(v) for k, v in value.items() if not str(k).startswith("__line")}
    if isinstance(value, list):
        return [strip_marks(v) for v in value]
    return value


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
    urgency: dict[str, tuple[str, ...]] = {}
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
        for raw in _list(data, "intents", name, problems):
            intent = _intent(raw, name, problems)
            if intent is None:
                continue
            if intent.id in intents:
                first = intents[intent.id]
                problems.append(
                    Problem(name, intent.line, f"duplicate id {intent.id} (first at {first.source}:{first.line})")
                )
                continue
            intents[intent.id] = intent
        out_of_scope += [str(q) for q in _list(data, "out_of_scope", name, problems)]
        if "urgency" in data:
            urgency.update(_urgency(data["urgency"], name, problems))
        typos.update({str(k): str(v) for k, v in strip_marks(data.get("typos") or {}).items()})
        if "calibration" in data:
            calibration = _calibration(data["calibration"], name, data.get("__line__", 1), problems)
        for key, raw in strip_marks(data.get("messages") or {}).items():
            text = _text(raw, f"message {key}", name, data.get("messages", {}).get("__line__", 1), problems)
            if text is not None:
                messages[str(key)] = text
    if not intents:
        problems.append(Problem(str(directory), 0, "no intents found"))
    faq = Faq(intents, tuple(out_of_scope), typos, messages, directory, calibration, urgency)
    return faq, problems


def _calibration(raw: Any, name: str, line: int, problems: list[Problem]) -> tuple[float, float, float, float] | None:
    values = strip_marks(raw)
    keys = ("bias", "best", "margin", "out_of_scope")
    if not isinstance(values, dict) or any(not isinstance(values.get(k), int | float) for k in keys):
        problems.append(Problem(name, line, f"calibration: expected numbers {', '.join(keys)}"))
        return None
    return (float(values["bias"]), float(values["best"]), float(values["margin"]), float(values["out_of_scope"]))


def _urgency(raw: Any, name: str, problems: list[Problem]) -> dict[str, tuple[str, ...]]:
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


def _list(data: dict[str, Any], key: str, name: str, problems: list[Problem]) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(Problem(name, data.get("__line__", 1), f"`{key}` must be a list"))
        return []
    return value


def _text(raw: Any, what: str, name: str, line: int, problems: list[Problem]) -> Text | None:
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


def _intent(raw: Any, name: str, problems: list[Problem]) -> Intent | None:
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
    title = _text(raw.get("title"), f"{intent_id} title", name, line, problems)
    answer = _text(raw.get("answer"), f"{intent_id} answer", name, line, problems)
    speech = _text(raw.get("speech"), f"{intent_id} speech", name, line, problems)
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
    routable = raw.get("routable", kind == "service")
    urgent = raw.get("urgent", False)
    if not isinstance(routable, bool) or not isinstance(urgent, bool):
        problems.append(Problem(name, line, f"{intent_id}: routable and urgent must be true or false"))
    if len(problems) > before or title is None or answer is None or speech is None:
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
    )


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


def load_faq(directory: Path) -> Faq:
    """The FAQ of `directory`, or `FaqError` listing every error."""
    faq, problems = parse_faq(directory)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise FaqError([str(p) for p in errors])
    return faq
