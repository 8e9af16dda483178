"""faq/warnings.yaml: the shipped playlist is complete, and a broken copy is reported line by line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.errors import FaqError
from bot.settings import PROJECT_ROOT
from intents.faq import load_faq
from voice.playlist import MAX_EN_WORDS, MAX_ZH_CHARS, MESSAGES, check_warnings, load_playlist

FAQ = PROJECT_ROOT / "faq"


@pytest.fixture(scope="module")
def intent_ids() -> list[str]:
    """The FAQ's intents, as `faq validate` checks the playlist (test_faq.py: they cover the catalogue)."""
    return list(load_faq(FAQ).intents)


def test_the_shipped_playlist_has_no_problems(intent_ids: list[str]) -> None:
    assert check_warnings(FAQ, intent_ids) == []
    playlist = load_playlist(FAQ, intent_ids)
    assert len(playlist.warnings) >= 20
    for warning in playlist.warnings:
        assert warning.intent.startswith("fraud.")
        assert len(warning.text.zh) <= MAX_ZH_CHARS
        assert len(warning.text.en.split()) <= MAX_EN_WORDS
    for key in MESSAGES:
        assert playlist.message(key, "zh") != key and playlist.message(key, "en") != key


def test_every_fraud_intent_of_the_faq_has_a_warning(intent_ids: list[str]) -> None:
    covered = {w.intent for w in load_playlist(FAQ, intent_ids).warnings}
    assert {i for i in intent_ids if i.startswith("fraud.")} <= covered


BROKEN = """\
warnings:
  - id: fine
    intent: fraud.fake_loan
    zh: 贷款先交钱的都是诈骗。
    en: A loan that wants money first is a scam.
  - id: no_english
    intent: fraud.fake_loan
    zh: 只有中文。
  - id: unknown_intent
    intent: fraud.no_such_thing
    zh: 意图不存在。
    en: No such intent.
  - id: too_long
    intent: fraud.romance
    zh: {long_zh}
    en: {long_en}
  - id: fine
    intent: fraud.fake_job
    zh: 重复的编号。
    en: A duplicate id.
  - id: wrong_number
    intent: fraud.general_tips
    zh: 请拨打12345。
    en: Call 110.
    priority: high
messages:
  kiosk.welcome: {{zh: 欢迎, en: Welcome}}
  kiosk.prompt: {{zh: 请输入, en: Type}}
  kiosk.fallback: {{zh: 不确定}}
"""


def test_a_broken_copy_is_reported_with_file_and_line(tmp_path: Path, intent_ids: list[str]) -> None:
    text = BROKEN.format(long_zh="骗" * (MAX_ZH_CHARS + 1), long_en=" ".join(["word"] * (MAX_EN_WORDS + 1)))
    (tmp_path / "warnings.yaml").write_text(text, encoding="utf-8")
    problems = check_warnings(tmp_path, intent_ids)
    found = {(p.line, p.message) for p in problems}
    name = str(tmp_path / "warnings.yaml")
    assert all(p.file == name for p in problems)
    assert (6, "no_english: missing or empty language en") in found
    assert (9, "unknown_intent: unknown intent fraud.no_such_thing") in found
    assert (13, f"too_long: zh is {MAX_ZH_CHARS + 1} characters, at most {MAX_ZH_CHARS}") in found
    assert (13, f"too_long: en is {MAX_EN_WORDS + 1} words, at most {MAX_EN_WORDS}") in found
    assert (17, "duplicate warning id fine (first at line 2)") in found
    assert (21, "wrong_number: number 12345: only 110 and 96110 are spoken") in found
    assert (21, "wrong_number: priority must be a whole number >= 0, got 'high'") in found
    assert any(m == "message kiosk.alert_lead missing" for _, m in found)
    assert any(m == "message kiosk.fallback: missing or empty language en" for _, m in found)
    with pytest.raises(FaqError):
        load_playlist(tmp_path, intent_ids)


def test_a_missing_or_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    assert [p.message for p in check_warnings(tmp_path, [])] == ["kiosk warnings file not found"]
    (tmp_path / "warnings.yaml").write_text("warnings: [\n", encoding="utf-8")
    assert "not valid YAML" in check_warnings(tmp_path, [])[0].message


def test_faq_validate_checks_the_playlist(tmp_path: Path) -> None:
    from bot.commands.faq import extra_checks
    from intents.faq import parse_faq

    faq, _ = parse_faq(FAQ)
    shutil.copytree(FAQ, tmp_path / "faq")
    assert not [p for p in extra_checks(tmp_path / "faq", faq) if "warnings.yaml" in p.file]
    (tmp_path / "faq" / "warnings.yaml").write_text("warnings: []\nmessages: {}\n", encoding="utf-8")
    assert [p for p in extra_checks(tmp_path / "faq", faq) if "warnings.yaml" in p.file]
