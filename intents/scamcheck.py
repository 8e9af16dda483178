"""The scam checker: a forwarded message in, a verdict with reasons out.

A small engine over the data of faq/scam_rules.yaml: prepare the text (like the matcher does),
find links and phone numbers, fire the weighted red flags and the signs of a legitimate
message, combine them into a risk (1 - Π(1 - w) of the red flags, reduced by the legitimate
evidence the same way), and name the most specific fraud type. `check` never raises.

Warning sentences ("凡是让您共享屏幕的，一律是诈骗") describe a scam without asking for anything:
the red flags do not read them (they are blanked for the flags), and the fact `warning_sentence`
lets a legit rule say "this reads as an anti-fraud reminder".

With faq/scam_model.json (intents/scam_model.py), the risk is one calibrated decision on the
rules' risk and an n-gram model's logit; the rules' reasons stay the explanation, and a generic
reason is given when the model alone finds a scam. An anti-fraud reminder, and English text (the
model learned Chinese only), are left to the rules.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from intents.faq import read_yaml, strip_marks
from intents.normalise import Normaliser, has_cjk, simplify
from intents.scam_meaning import CHARS as MEANING_CHARS
from intents.scam_model import MODEL_FILE, ScamModel, load_model
from intents.scam_patterns import Reason, Rule
from intents.scam_rules import FAILED, RULES_FILE, ScamRules, check_rules, load_rules
from intents.semantic import Encoder

__all__ = ["Reason", "ScamChecker", "Verdict", "check_rules"]

log = logging.getLogger(__name__)

VERDICTS = ("scam", "suspicious", "safe")
REMINDER = "anti_fraud_reminder"  # a legit code: the message is a police or anti-fraud reminder
MODEL_REASON = "model_pattern"  # the reason given when the model alone finds a scam
# legit codes on which the rules alone decide. A police reminder, a villager who heard of a scam or
# turned one away: the scam's words are all there, and the learned opinions (which read words and
# meaning) would call it one. Not `retold` (what happened to someone else): "叫她再充钱才能取出来" is
# a mother inside a scam now. And a message sending you to the real official site: a domain is the
# link reader's to judge, "请登录 … 办理" reads the same on a real site and a fake one.
RULES_ALONE = frozenset({REMINDER, "hearsay", "refused", "official_site"})
# an advertisement (a shop's offer, a carrier's plan, "回T退订") with no red flag at all: the learned
# opinions, which met many scams dressed as offers, would otherwise find one in every sale
# (Telecom sample's normal SMS: 45 % flagged before this and the written ads; 6 % after)
ADVERT = frozenset({"marketing", "unsubscribe"})
SURE_FLAG = 0.85  # on the group parts: two more scam posts answered, no ordinary one (0.8: three, and two ordinary)
_SENTENCE_ENDS = "。!?;\n"  # after NFKC
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
# spaces next to Chinese characters carry nothing (and hide 安 全 账 户 from the rules)
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}，。：；！？、“”（）【】])\s+|\s+(?=[{_CJK}，。：；！？、“”（）【】])")
_SPACES = re.compile(r"\s+")
# a run of one kind of character longer than any real number or word is cut short: the rules'
# `\d+` and `[\d,]*` would otherwise try every position of a 2,000-digit run (quadratic)
_RUN_KEEP = 32
_RUNS = re.compile(
    rf"[\d,.]{{{_RUN_KEEP + 1},}}|[零一二三四五六七八九十两百千万亿几]{{{_RUN_KEEP + 1},}}"
    rf"|\*{{{_RUN_KEEP + 1},}}|(.)\1{{{_RUN_KEEP},}}"
)
_SENDER_TAG = re.compile(r"^\s*[【\[][^】\]]{2,12}[】\]]|[【\[][^】\]]{2,12}[】\]]\s*$")
_LETTERS = re.compile(r"[a-z]")
# digits written for letters inside English words; links are judged before this is undone
_LEET = re.compile(r"(?<=[a-z])[013](?=[a-z])")
_UNLEET = {"0": "o", "1": "i", "3": "e"}


@dataclass(frozen=True)
class Verdict:
    """What the checker says about one message."""

    verdict: str  # scam | suspicious | safe
    risk: float  # 0..1
    type: str | None  # a fraud.* intent id, or None
    reasons: tuple[Reason, ...]

    @property
    def scam(self) -> bool:
        """True when the villager should not trust the message (scam or suspicious)."""
        return self.verdict != "safe"

    def as_dict(self) -> dict[str, Any]:
        """The JSON form `cunjing check` prints (without the text)."""
        return {
            "verdict": self.verdict,
            "scam": self.scam,
            "risk": self.risk,
            "type": self.type,
            "reasons": [{"code": r.code, "zh": r.zh, "en": r.en} for r in self.reasons],
        }


class ScamChecker:
    """Judges messages with the rules of faq/scam_rules.yaml."""

    def __init__(
        self,
        rules: ScamRules,
        normaliser: Normaliser | None = None,
        model: ScamModel | None = None,
        encoder: Encoder | None = None,
    ) -> None:
        self.rules = rules
        self.model = model
        head = model.meaning if model is not None else None
        # the sentence encoder, when the model's meaning head was trained for it (scam_meaning.py)
        self.encoder = encoder if encoder is not None and head is not None and head.encoder == encoder.name else None
        # the last few verdicts (frozen): a turn asks before it holds the database, then inside
        self._recent = lru_cache(maxsize=8)(self.judge)
        typos = normaliser.typos if normaliser is not None else {}
        alternatives = sorted(typos, key=len, reverse=True)
        self._typos = dict(typos)
        self._typo_re = re.compile("|".join(map(re.escape, alternatives))) if alternatives else None

    @classmethod
    def from_dir(
        cls,
        faq_dir: Path,
        normaliser: Normaliser | None = None,
        *,
        with_model: bool = True,
        encoder: Encoder | None = None,
    ) -> ScamChecker:
        """The checker of a FAQ directory; the typos of its files when no normaliser is given; its
        model when it has one (`with_model=False`: the rules alone), read with `encoder` if given."""
        rules = load_rules(Path(faq_dir) / RULES_FILE)
        model = load_model(Path(faq_dir) / MODEL_FILE) if with_model else None
        typos = normaliser if normaliser is not None else Normaliser(read_typos(Path(faq_dir)))
        return cls(rules, typos, model, encoder)

    def __getstate__(self) -> dict[str, Any]:  # the core's process is given the checker: not its memory
        return {k: v for k, v in self.__dict__.items() if k != "_recent"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._recent = lru_cache(maxsize=8)(self.judge)

    def check(self, text: str) -> Verdict:
        """The verdict on one message; never raises, whatever `text` is (bytes and others are coerced)."""
        return self._recent(text) if isinstance(text, str) else self.judge(text)

    def judge(self, text: Any) -> Verdict:
        """The verdict worked out afresh (`check` gives a recent one from memory): what benchmarks time."""
        try:
            return self._check(text if isinstance(text, str) else _as_text(text))
        except Exception:  # a bug must not cost the villager an answer: say "be careful" instead
            log.exception("scam check failed")
            return Verdict("suspicious", 0.5, None, (self.rules.reasons[FAILED],))

    def prepare(self, text: str) -> str:
        """The text the rules read: capped, NFKC, simplified, lower case, typos fixed, spaces tidied."""
        cap = self.rules.max_chars
        text = _SURROGATES.sub(" ", text[:cap])
        # capped again after NFKC, which can turn one character into many (ﷺ becomes 18)
        text = _CONTROLS.sub(" ", unicodedata.normalize("NFKC", text)[:cap])
        if has_cjk(text):
            text = simplify(text)
        text = text.lower()
        if self._typo_re is not None:
            text = self._typo_re.sub(lambda m: self._typos[m.group(0)], text)
        text = _RUNS.sub(lambda m: m.group(0)[:_RUN_KEEP], text)
        return _SPACES.sub(" ", _CJK_SPACE.sub("", text)).strip()

    def _check(self, raw: str) -> Verdict:
        """The verdict on text that is surely a string."""
        prepared = self.prepare(raw)
        if not prepared:
            return Verdict("safe", 0.0, None, ())
        known = self.facts(prepared)
        text = _LEET.sub(lambda m: _UNLEET[m.group(0)], prepared)  # w0n, bl0cked: the rules read words
        flag_text = self.without_warnings(text)
        if flag_text != text:
            known.add("warning_sentence")
        flags = _fire(self.rules.flags, flag_text, known)
        legit = _fire(self.rules.legit, text, known)
        signals = {code: w for code, w in self.rules.signals.items() if code in known}
        danger = _combine([*flags.values(), *signals.values()])
        risk = round(danger * (1.0 - _combine(legit.values())), 3)
        advert = bool(ADVERT & legit.keys()) and not flags
        # the model learned Chinese messages only: on English text its logit is its prior, not evidence
        if self.model is not None and not (RULES_ALONE & legit.keys()) and not advert and "english" not in known:
            learned = self.model.probability(risk, self.model.logit(prepared), self.meaning(prepared))
            # a sure red flag (a safe account, an .apk to install) that nothing legitimate tempers is
            # not argued away by models that learned what ordinary invitations and notices look like
            sure = max([*flags.values(), *signals.values()], default=0.0) >= SURE_FLAG
            risk = round(max(learned, risk) if sure and not legit else learned, 3)
        verdict = "scam" if risk >= self.rules.scam_at else "suspicious" if risk >= self.rules.suspicious_at else "safe"
        fraud_type = self.fraud_type(flag_text, known) if verdict != "safe" else None
        red = sorted({**signals, **flags}.items(), key=lambda kv: -kv[1])
        good = sorted(legit.items(), key=lambda kv: -kv[1]) if verdict == "safe" or red else []
        reasons = tuple(self.rules.reasons[code] for code, _ in [*red, *good])
        if verdict != "safe" and not red and MODEL_REASON in self.rules.reasons:
            reasons = (self.rules.reasons[MODEL_REASON],)
        return Verdict(verdict, risk, fraud_type, reasons)

    def meaning(self, prepared: str) -> float | None:
        """The meaning head's logit on a prepared message, when the encoder is there to read it."""
        if self.encoder is None or self.model is None or self.model.meaning is None:
            return None
        return self.model.meaning.logit(self.encoder.encode([prepared[:MEANING_CHARS]])[0])

    def without_warnings(self, text: str) -> str:
        """`text` with its warnings blanked: a warning sentence from its start to the end of its
        conclusion, a warning clause as far as it matches."""
        out = text
        if self.rules.warnings is not None:
            for match in self.rules.warnings.finditer(text):
                start = max(text.rfind(mark, 0, match.start()) for mark in _SENTENCE_ENDS) + 1
                out = out[:start] + " " * (match.end() - start) + out[match.end():]
        if self.rules.warning_clauses is not None:
            for match in self.rules.warning_clauses.finditer(text):
                out = out[: match.start()] + " " * (match.end() - match.start()) + out[match.end():]
        return out

    def facts(self, text: str) -> set[str]:
        """What the extractors find: links and their faults, phone numbers, sender tags, language."""
        known: set[str] = set()
        links = self.rules.links.find(text)
        if links:
            known.add("link")
        for link in links:
            known.update(
                name
                for name, present in (
                    ("official_link", link.official),
                    ("ip_link", link.ip),
                    ("punycode", link.punycode),
                    ("shortener", link.shortener),
                    ("lookalike", link.lookalike),
                    ("disguised_domain", link.disguised),
                    ("suspicious_tld", link.suspicious_tld),
                    # an unknown site, when nothing more specific is wrong with it
                    ("bad_link", not (link.official or link.ip or link.punycode or link.lookalike or link.shortener)),
                )
                if present
            )
        phones = self.rules.phones.facts(text)
        known.update(name for name in ("phone", "intl_number", "virtual_number", "fake_service_number")
                     if getattr(phones, name))
        if _SENDER_TAG.search(text):
            known.add("sender_tag")
        if not has_cjk(text) and _LETTERS.search(text):
            known.add("english")
        return known

    def fraud_type(self, text: str, known: set[str]) -> str | None:
        """The most specific fraud type: the type rule with the highest score (the first on a tie)."""
        best: tuple[float, str] | None = None
        for rule in self.rules.types:
            if (best is None or rule.weight > best[0]) and rule.pattern.fires(text, known):
                best = (rule.weight, rule.code)
        return best[1] if best else None


def _fire(rules: Iterable[Rule], text: str, known: set[str]) -> dict[str, float]:
    """The rules that fire, in file order (later rules may use earlier codes); a code keeps its top weight."""
    fired: dict[str, float] = {}
    for rule in rules:
        if rule.weight > fired.get(rule.code, -1.0) and rule.pattern.fires(text, known):
            fired[rule.code] = rule.weight
            known.add(rule.code)
    return fired


def _combine(weights: Iterable[float]) -> float:
    """1 - Π(1 - w): independent pieces of evidence, each making the conclusion likelier."""
    left = 1.0
    for w in weights:
        left *= 1.0 - w
    return 1.0 - left


def _as_text(value: Any) -> str:
    """Anything at all as text: bytes decoded leniently, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def read_typos(faq_dir: Path) -> Mapping[str, str]:
    """The `typos:` of every FAQ file, as the matcher's normaliser uses them."""
    typos: dict[str, str] = {}
    for path in sorted(faq_dir.glob("*.yaml")):
        if path.name == RULES_FILE:
            continue
        data, _ = read_yaml(path)
        if isinstance(data, dict) and isinstance(data.get("typos"), dict):
            typos.update({str(k): str(v) for k, v in strip_marks(data["typos"]).items()})
    return typos
