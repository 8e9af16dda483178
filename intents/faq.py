"""Loading the FAQ content (faq/*.yaml) into typed, frozen values, and checking its schema.

Every problem is reported with its file and line. `load_faq` raises `FaqError` listing all of
them, so a bad FAQ never reaches the bot; `check_faq` returns them for `cunjing faq validate`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from bot.errors import FaqError
from intents import dialect as dialect_tables
from intents.dialect import DialectTables
from intents.urgency import GROUPS as URGENCY_GROUPS

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
_STATION = re.compile(r"\{(station_[a-z_]+)\}")
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
class Faq:
    intents: Mapping[str, Intent]
    out_of_scope: tuple[str, ...] = ()
    typos: Mapping[str, str] = field(default_factory=dict)
    messages: Mapping[str, Text] = field(default_factory=dict)
    directory: Path = Path(".")
    calibration: tuple[float, float, float, float] | None = None  # see `cunjing faq calibrate`
    urgency: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # word lists: is it happening now?
    dialect: DialectTables = field(default_factory=DialectTables)  # faq/dialect.yaml: read back into Mandarin

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
        reviewed += [(entry, name) for entry in _list(data, "reviewed", name, problems)]
        if "urgency" in data:
            urgency.update(_urgency(data["urgency"], name, problems))
        typos.update({str(k): str(v) for k, v in strip_marks(data.get("typos") or {}).items()})
        if "dialect" in data:
            raw_dialect = data["dialect"]
            at = raw_dialect.get("__line__", 1) if isinstance(raw_dialect, dict) else data.get("__line__", 1)
            tables, found = dialect_tables.parse(strip_marks(raw_dialect))
            problems += [Problem(name, at, m) for m in found]
            dialect = tables or dialect
        if "calibration" in data:
            calibration = _calibration(data["calibration"], name, data.get("__line__", 1), problems)
        for key, raw in strip_marks(data.get("messages") or {}).items():
            text = _text(raw, f"message {key}", name, data.get("messages", {}).get("__line__", 1), problems)
            if text is not None:
                messages[str(key)] = text
    if not intents:
        problems.append(Problem(str(directory), 0, "no intents found"))
    out_of_scope += _add_reviewed(reviewed, intents, problems)
    faq = Faq(intents, tuple(out_of_scope), typos, messages, directory, calibration, urgency, dialect)
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
    lead = _text(raw.get("lead"), f"{intent_id} lead", name, line, problems)
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
        for mark in _STATION.findall(answer.get(lang) if answer else ""):
            if mark not in STATION:
                found.append(Problem(name, line, f"{intent_id}: unknown {{{mark}}} (one of {', '.join(STATION)})"))
        shown = [t.get(lang) for t in others if t] + list(flags.get(lang) if flags else ())
        if any(_STATION.search(text) for text in shown):
            found.append(Problem(name, line, f"{intent_id}: {lang}: station facts belong in the answer only"))
    return found


def fill_station(text: str, values: Mapping[str, str]) -> str:
    """`text` with the station's facts filled in; a line naming a fact that is not set is left out."""
    kept = []
    for row in text.split("\n"):
        marks = _STATION.findall(row)
        if any(not values.get(mark) for mark in marks):
            continue
        kept.append(_STATION.sub(lambda m: values[m.group(1)], row))
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
