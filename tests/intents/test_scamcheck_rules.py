"""check_rules: every problem of scam_rules.yaml is reported with its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.errors import FaqError
from bot.settings import PROJECT_ROOT
from intents.faq import load_faq
from intents.scamcheck import ScamChecker, check_rules

FAQ = PROJECT_ROOT / "faq"
IDS = ["fraud.etc_card", "fraud.phishing_link", "chat.greeting"]

MINIMAL = """\
thresholds: {scam: 0.7, suspicious: 0.4}
lists:
  pay: [转账, 汇款]
reasons:
  check_failed: {zh: 没查完, en: Not checked}
  asks_money: {zh: 要钱, en: Asks for money}
  etc_expired: {zh: ETC失效, en: ETC expired}
  ip_link: {zh: IP链接, en: IP link}
signals:
  ip_link: {weight: 0.7}
links:
  official: {icbc: [icbc.com.cn]}
phones:
  virtual_prefixes: ['170']
  service_numbers: ['95588']
flags:
  - code: asks_money
    weight: 0.8
    any: ['@pay']
  - code: etc_expired
    weight: 0.5
    all: [[etc], [失效, 过期]]
legit: []
types:
  - id: fraud.etc_card
    score: 0.9
    if: [etc_expired]
  - id: fraud.phishing_link
    score: 0.5
    if: [link]
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "scam_rules.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the first line containing `fragment`."""
    return next(i for i, line in enumerate(text.splitlines(), start=1) if fragment in line)


@pytest.fixture(scope="module")
def faq_ids() -> list[str]:
    """The FAQ's intents, as `faq validate` checks the rules (tests/intents/test_faq.py: they cover the catalogue)."""
    return list(load_faq(FAQ).intents)


def test_the_shipped_rules_have_no_problems(faq_ids):
    assert check_rules(FAQ, faq_ids) == []


def test_a_minimal_rules_file_works(tmp_path):
    directory = write(tmp_path, MINIMAL)
    assert check_rules(directory, IDS) == []
    checker = ScamChecker.from_dir(directory)
    verdict = checker.check("你的ETC已失效，请转账")
    assert verdict.verdict == "scam" and verdict.type == "fraud.etc_card"


@pytest.mark.parametrize(
    ("old", "new", "fragment", "message"),
    [
        ("  - id: fraud.etc_card", "  - id: fraud.etc_cards", "fraud.etc_cards", "unknown fraud type"),
        ("  - id: fraud.etc_card", "  - id: chat.greeting", "chat.greeting", "fraud types are fraud.*"),
        ("any: ['@pay']", "any: ['(转账']", "(转账", "bad regular expression"),
        ("any: ['@pay']", "any: ['@payment']", "@payment", "unknown list @payment"),
        ("{zh: 要钱, en: Asks for money}", "{zh: 要钱}", "asks_money", "missing or empty"),
        ("{zh: ETC失效, en: ETC expired}", "{zh: '', en: ETC expired}", "etc_expired: {zh", "missing or empty"),
        ("    weight: 0.8", "    weight: 1.5", "code: asks_money", "weight must be a number from 0.0 to 1.0"),
        ("    score: 0.9", "    score: -1", "id: fraud.etc_card", "score must be a number from 0.0 to 1.0"),
        ("    if: [etc_expired]", "    if: [etc_expird]", "id: fraud.etc_card", "unknown fact or code 'etc_expird'"),
        ("  ip_link: {weight: 0.7}", "  ip_link: {weight: 0.7}\n  dns: {weight: 0.3}", "dns:", "signal dns"),
        ("  ip_link: {weight: 0.7}", "  ip_link: {weight: 7}", "ip_link: {weight", "weight must be a number"),
        ("  check_failed: {zh: 没查完, en: Not checked}\n", "", "reasons:", "check_failed is needed"),
    ],
)
def test_each_problem_is_reported_with_file_and_line(tmp_path, old, new, fragment, message):
    assert old in MINIMAL
    broken = MINIMAL.replace(old, new, 1)
    problems = check_rules(write(tmp_path, broken), IDS)
    matching = [p for p in problems if message in p.message]
    assert matching, problems
    assert matching[0].file == str(tmp_path / "scam_rules.yaml")
    if fragment != "reasons:" or "check_failed" not in message:
        assert matching[0].line == line_of(broken, fragment), (matching[0], broken)


def test_a_broken_copy_of_the_shipped_file_points_at_the_line(tmp_path, faq_ids):
    text = (FAQ / "scam_rules.yaml").read_text(encoding="utf-8")
    broken = text.replace("  - id: fraud.etc_card\n", "  - id: fraud.etc_kard\n", 1)
    problems = check_rules(write(tmp_path, broken), faq_ids)
    expected = [(line_of(broken, "fraud.etc_kard"), True)]
    assert [(p.line, "unknown fraud type" in p.message) for p in problems] == expected


def test_yaml_that_does_not_parse_is_reported_with_its_line(tmp_path):
    problems = check_rules(write(tmp_path, MINIMAL + "flags: [\n  - bad\n"), IDS)
    assert len(problems) == 1 and problems[0].line > 1 and "not valid YAML" in problems[0].message


def test_a_missing_rules_file_is_a_problem(tmp_path):
    (problem,) = check_rules(tmp_path, IDS)
    assert "not found" in problem.message


def test_the_checker_refuses_broken_rules(tmp_path):
    shutil.copy(FAQ / "scam_rules.yaml", tmp_path / "scam_rules.yaml")
    ScamChecker.from_dir(tmp_path)  # the shipped copy loads
    write(tmp_path, MINIMAL.replace("weight: 0.8", "weight: 8"))
    with pytest.raises(FaqError) as caught:
        ScamChecker.from_dir(tmp_path)
    assert "scam_rules.yaml" in str(caught.value)
