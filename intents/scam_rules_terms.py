"""Reading the terms of faq/scam_rules.yaml: checked values, `@lists`, negation and patterns as regular expressions.

`TermReader` notes every problem with its file and line instead of stopping at the first;
intents/scam_rules.py builds the sections of the file (reasons, rules, signals, policies) on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from intents.faq import Problem
from intents.scam_patterns import Negation, Pattern
from intents.scam_regex import distribute

CODE = re.compile(r"^[a-z][a-z0-9_]*$")  # a list name or reason code: lower_case_with_underscores
_LIST_REF = re.compile(r"@([a-z][a-z0-9_]*)")


class TermReader:
    """Collects problems while turning raw YAML values and terms into checked, compiled ones."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.file = str(path)
        self.data = data
        self.problems: list[Problem] = []
        self.lists: dict[str, str] = {}
        self.negation: Negation | None = None

    def problem(self, line: int, message: str) -> None:
        """Note one problem at `line` of the rules file."""
        self.problems.append(Problem(self.file, line, message))

    def line(self, raw: Any, default: int = 1) -> int:
        """The line a mapping of the file starts on, or `default`."""
        return raw.get("__line__", default) if isinstance(raw, dict) else default

    def section(self, key: str, kind: type) -> Any:
        """A top-level section that must be a mapping or a list (an empty one if it is not)."""
        value = self.data.get(key)
        if not isinstance(value, kind):
            self.problem(self.line(self.data), f"`{key}` must be a {'mapping' if kind is dict else 'list'}")
            return kind()
        return value

    def number(self, raw: dict[str, Any], key: str, low: float, high: float, default: float) -> float:
        """A number from `low` to `high`, or `default` with a problem."""
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            self.problem(self.line(raw), f"{key} must be a number from {low} to {high}, got {value!r}")
            return default
        return float(value)

    def strings(self, raw: Any, what: str, line: int) -> list[str]:
        """A list of words, or an empty list with a problem."""
        if not isinstance(raw, list) or not all(isinstance(v, str | int) and str(v).strip() for v in raw):
            self.problem(line, f"{what}: expected a list of words")
            return []
        return [str(v).strip() for v in raw]

    def regex(self, term: str, line: int, what: str) -> str | None:
        """One term as a checked regular expression, `@list` references expanded."""

        def expand(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in self.lists:
                self.problem(line, f"{what}: unknown list @{name}")
                return "(?!)"
            return self.lists[name]

        source = _LIST_REF.sub(expand, _lower(term))
        try:
            re.compile(source)
        except re.error as exc:
            self.problem(line, f"{what}: bad regular expression {term!r}: {exc}")
            return None
        return source

    def alternation(self, terms: Iterable[Any], lines: list[int], what: str) -> str | None:
        """Terms joined into one alternation, each rewritten for a fast scan; None if none is usable."""
        parts = []
        for i, term in enumerate(terms):
            line = lines[i] if i < len(lines) else lines[-1] if lines else 1
            if not isinstance(term, str | int) or not str(term).strip():
                self.problem(line, f"{what}: empty or non-text term {term!r}")
                continue
            source = self.regex(str(term).strip(), line, what)
            if source is not None:
                parts += [f"(?:{branch})" for branch in distribute(source)]
        return "|".join(parts) if parts else None

    def read_lists(self) -> None:
        """The named word lists that terms refer to as `@name`."""
        raw = self.section("lists", dict)
        for name, terms in raw.items():
            if str(name).startswith("__line"):
                continue
            lines = raw.get(f"__lines__{name}") or [self.line(raw)]
            if not CODE.match(str(name)) or not isinstance(terms, list):
                self.problem(lines[0], f"list {name}: expected a lower-case name and a list of words")
                continue
            source = self.alternation(terms, lines, f"list {name}")
            self.lists[str(name)] = f"(?:{source})" if source else "(?!)"

    def read_negation(self) -> None:
        """The negation words and their window."""
        raw = self.data.get("negation")
        if raw is None:
            return
        if not isinstance(raw, dict):
            self.problem(self.line(self.data), "`negation` must be a mapping with window and words")
            return
        window = int(self.number(raw, "window", 1, 40, 6))
        source = self.alternation(raw.get("words") or [], raw.get("__lines__words") or [self.line(raw)], "negation")
        if source:
            self.negation = Negation(re.compile(source), window)

    def pattern(self, raw: dict[str, Any], what: str) -> Pattern | None:
        """The pattern of one flag, legit or type entry."""
        line = self.line(raw)
        groups: list[str | None] = []
        if "any" in raw:
            groups.append(self.group(raw["any"], raw.get("__lines__any") or [line], what))
        for i, group in enumerate(raw.get("all") or []):
            lines = raw.get("__lines__all") or []
            groups.append(self.group(group, [lines[i] if i < len(lines) else line], what))
        if not groups and not raw.get("if"):
            self.problem(line, f"{what}: needs `any` or `all` terms, or `if` facts")
            return None
        within = raw.get("within")
        if within is not None and (isinstance(within, bool) or not isinstance(within, int) or within < 1):
            self.problem(line, f"{what}: within must be a positive whole number of characters")
        none = self.group(raw["none"], raw.get("__lines__none") or [line], what) if "none" in raw else None
        requires = self.names(raw.get("if"), line, what)
        forbids = self.names(raw.get("unless"), line, what)
        if any(g is None for g in groups) or ("none" in raw and none is None):
            return None
        return Pattern(
            groups=tuple(re.compile(g) for g in groups if g),
            within=within if isinstance(within, int) and not isinstance(within, bool) else None,
            none=re.compile(none) if none else None,
            requires=frozenset(requires),
            forbids=frozenset(forbids),
            negation=self.negation if raw.get("negatable") else None,
        )

    def group(self, raw: Any, lines: list[int], what: str) -> str | None:
        """One group of terms (a list, or a single term) as an alternation."""
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not raw:
            self.problem(lines[0], f"{what}: a group must be a non-empty list of terms")
            return None
        return self.alternation(raw, lines, what)

    def names(self, raw: Any, line: int, what: str) -> list[str]:
        """The fact and code names of `if` or `unless`."""
        if raw is None:
            return []
        return self.strings(raw if isinstance(raw, list) else [raw], f"{what} if/unless", line)


def _lower(term: str) -> str:
    """A term in lower case (the text is), its escapes kept: `\\W` must not become `\\w`."""
    return re.sub(r"\\.|[^\\]+", lambda m: m.group(0) if m.group(0).startswith("\\") else m.group(0).lower(), term)
