"""Reading and checking faq/scam_rules.yaml: every problem with its file and line, rules compiled once.

`parse_rules` returns what compiled and every problem; `load_rules` raises `FaqError` on errors;
`check_rules` is what `cunjing faq validate` calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.errors import FaqError
from intents.faq import LANGS, Problem, read_yaml, strip_marks
from intents.links import LinkPolicy
from intents.scam_patterns import Reason, Rule
from intents.scam_phones import PhonePolicy
from intents.scam_rules_terms import CODE, TermReader

RULES_FILE = "scam_rules.yaml"
# Facts the extractors establish; rules may require or forbid them, `signals` gives some a weight.
LINK_FACTS = (
    "link",
    "bad_link",
    "official_link",
    "ip_link",
    "punycode",
    "shortener",
    "lookalike",
    "disguised_domain",
    "suspicious_tld",
)
PHONE_FACTS = ("phone", "intl_number", "virtual_number", "fake_service_number")
TEXT_FACTS = ("sender_tag", "english", "warning_sentence")
FACTS = frozenset(LINK_FACTS + PHONE_FACTS + TEXT_FACTS)
FAILED = "check_failed"  # the reason given if the engine itself fails on a message


@dataclass(frozen=True)
class ScamRules:
    """faq/scam_rules.yaml, compiled."""

    max_chars: int
    scam_at: float
    suspicious_at: float
    reasons: Mapping[str, Reason]
    signals: Mapping[str, float]
    flags: tuple[Rule, ...]
    legit: tuple[Rule, ...]
    types: tuple[Rule, ...]
    links: LinkPolicy
    phones: PhonePolicy
    # a scam verdict at least this sure is said unasked in a linked village group (bot/core/guard.py)
    group_at: float = 0.8
    # the ends of warning sentences ("…的，一律是诈骗"): the red flags do not read such a sentence
    warnings: re.Pattern[str] | None = None
    # warning clauses ("谨防…"): the red flags do not read what they match
    warning_clauses: re.Pattern[str] | None = None


class _Reader(TermReader):
    """The sections of the rules file: reason texts, rules, signal weights, link and phone policy, cross-checks."""

    def reasons(self) -> dict[str, Reason]:
        """The reason texts by code, each with zh and en."""
        raw = self.section("reasons", dict)
        out: dict[str, Reason] = {}
        for code, texts in raw.items():
            if str(code).startswith("__line"):
                continue
            line = self.line(texts, self.line(raw))
            values = [texts.get(lang) if isinstance(texts, dict) else None for lang in LANGS]
            if not CODE.match(str(code)):
                self.problem(line, f"reason {code}: codes are lower_case_with_underscores")
            elif not all(isinstance(v, str) and v.strip() for v in values):
                self.problem(line, f"reason {code}: missing or empty zh or en text")
            else:
                out[str(code)] = Reason(str(code), str(values[0]).strip(), str(values[1]).strip())
        return out

    def rules(self, key: str, reasons: Mapping[str, Reason], weight_key: str = "weight") -> tuple[Rule, ...]:
        """The entries of `flags`, `legit` or `types`, compiled."""
        out = []
        for raw in self.section(key, list):
            if not isinstance(raw, dict):
                self.problem(self.line(self.data), f"{key}: each entry must be a mapping")
                continue
            line = self.line(raw)
            code = raw.get("id" if key == "types" else "code")
            what = f"{key} {code}"
            if not isinstance(code, str) or not code:
                self.problem(line, f"{key}: entry without {'id' if key == 'types' else 'code'}")
                continue
            if key != "types" and code not in reasons:
                self.problem(line, f"{what}: no reason text (add {code} to `reasons` with zh and en)")
            weight = self.number(raw, weight_key, 0.0, 1.0, 0.0)
            pattern = self.pattern(raw, what)
            if pattern is not None:
                out.append(Rule(code, weight, pattern, line))
        return tuple(out)

    def signals(self, reasons: Mapping[str, Reason]) -> dict[str, float]:
        """The weights of the facts the extractors find."""
        raw = self.section("signals", dict)
        out: dict[str, float] = {}
        for code, entry in raw.items():
            if str(code).startswith("__line"):
                continue
            line = self.line(entry, self.line(raw))
            if not isinstance(entry, dict):
                self.problem(line, f"signal {code}: expected {{weight: number}}")
                continue
            if code not in FACTS:
                facts = ", ".join(sorted(FACTS))
                self.problem(line, f"signal {code}: not a fact the checker finds ({facts})")
            elif code not in reasons:
                self.problem(line, f"signal {code}: no reason text in `reasons`")
            out[str(code)] = self.number(entry, "weight", 0.0, 1.0, 0.0)
        return out

    def links(self) -> LinkPolicy:
        """The link policy: official domains, brands, shorteners, common and cheap endings."""
        raw = self.section("links", dict)
        line = self.line(raw)
        official = raw.get("official")
        if not isinstance(official, dict):
            self.problem(line, "links.official: expected brand: [domains]")
            official = {}
        brands = {str(k): self.strings(v, f"links.official.{k}", line) for k, v in strip_marks(official).items()}
        return LinkPolicy(
            official=brands,
            official_suffixes=self.strings(raw.get("official_suffixes") or [], "links.official_suffixes", line),
            shorteners=self.strings(raw.get("shorteners") or [], "links.shorteners", line),
            suspicious_tlds=self.strings(raw.get("suspicious_tlds") or [], "links.suspicious_tlds", line),
            brand_tokens=self.strings(raw.get("brand_tokens") or [], "links.brand_tokens", line),
            common_tlds=self.strings(raw.get("common_tlds") or [], "links.common_tlds", line),
        )

    def phones(self) -> PhonePolicy:
        """The phone policy: virtual ranges, known service numbers."""
        raw = self.section("phones", dict)
        line = self.line(raw)
        return PhonePolicy(
            virtual_prefixes=self.strings(raw.get("virtual_prefixes"), "phones.virtual_prefixes", line),
            service_numbers=self.strings(raw.get("service_numbers"), "phones.service_numbers", line),
            home_codes=self.strings(raw.get("home_codes") or ["86"], "phones.home_codes", line),
        )

    def references(self, rules: Iterable[Rule], codes: Iterable[str]) -> None:
        """Every `if`/`unless` name must be a fact or the code of a flag or legit rule."""
        known = FACTS | set(codes)
        for rule in rules:
            for name in sorted((rule.pattern.requires | rule.pattern.forbids) - known):
                self.problem(rule.line, f"{rule.code}: if/unless names unknown fact or code {name!r}")

    def types(self, rules: Iterable[Rule], intent_ids: Iterable[str] | None) -> None:
        """Every type must be a fraud.* id the FAQ knows."""
        ids = set(intent_ids) if intent_ids is not None else None
        for rule in rules:
            if not rule.code.startswith("fraud."):
                self.problem(rule.line, f"type {rule.code}: fraud types are fraud.* intent ids")
            elif ids is not None and rule.code not in ids:
                self.problem(rule.line, f"type {rule.code}: unknown fraud type (not an intent id of the FAQ)")


def parse_rules(path: Path, intent_ids: Iterable[str] | None = None) -> tuple[ScamRules | None, list[Problem]]:
    """The compiled rules of `path` (None if they cannot be used) and every problem found."""
    data, problems = read_yaml(path)
    if problems:
        return None, problems
    if not isinstance(data, dict):
        return None, [Problem(str(path), 1, "expected a mapping at the top level")]
    r = _Reader(path, data)
    r.read_lists()
    r.read_negation()
    reasons = r.reasons()
    thresholds = r.section("thresholds", dict)
    scam_at = r.number(thresholds, "scam", 0.0, 1.0, 0.7)
    suspicious_at = r.number(thresholds, "suspicious", 0.0, 1.0, 0.4)
    if suspicious_at > scam_at:
        r.problem(r.line(thresholds), "thresholds: suspicious must not be above scam")
    group_at = r.number(thresholds, "group", 0.0, 1.0, 0.8)
    if group_at < scam_at:
        r.problem(r.line(thresholds), "thresholds: group must not be below scam")
    warnings, clauses = (
        r.alternation(data.get(key) or [], data.get(f"__lines__{key}") or [1], key)
        for key in ("warning_sentences", "warning_clauses")
    )
    flags, legit, types = r.rules("flags", reasons), r.rules("legit", reasons), r.rules("types", reasons, "score")
    r.references([*flags, *legit, *types], [rule.code for rule in (*flags, *legit)])
    r.types(types, intent_ids)
    if FAILED not in reasons:
        r.problem(r.line(data), f"reasons: {FAILED} is needed (what to say if a message cannot be checked)")
    rules = ScamRules(
        max_chars=int(r.number(data, "max_chars", 100, 100_000, 3000)),
        scam_at=scam_at,
        suspicious_at=suspicious_at,
        group_at=group_at,
        reasons=reasons,
        signals=r.signals(reasons),
        flags=flags,
        legit=legit,
        types=types,
        links=r.links(),
        phones=r.phones(),
        warnings=re.compile(warnings) if warnings else None,
        warning_clauses=re.compile(clauses) if clauses else None,
    )
    return rules, r.problems


def check_rules(faq_dir: Path, intent_ids: Iterable[str]) -> list[Problem]:
    """The problems of `faq_dir`/scam_rules.yaml; unknown fraud types are checked against `intent_ids`."""
    path = Path(faq_dir) / RULES_FILE
    if not path.is_file():
        return [Problem(str(path), 0, "scam checker rules not found")]
    ids = list(intent_ids)
    return parse_rules(path, ids if ids else None)[1]


def load_rules(path: Path) -> ScamRules:
    """The compiled rules of `path`, or `FaqError` listing every problem."""
    rules, problems = parse_rules(path)
    if rules is None or problems:
        raise FaqError([str(p) for p in problems] or [f"{path}: cannot load the scam rules"])
    return rules
