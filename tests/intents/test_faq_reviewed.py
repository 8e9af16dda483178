"""faq/reviewed.yaml, written by the review loop: its questions are examples of their intents (or
out of scope), loaded by the one FAQ loader, and its mistakes reported with file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.settings import PROJECT_ROOT
from intents.faq import parse_faq

REVIEWED = """reviewed:
  - intent: fraud.fake_shopping
    text: 收到个快递没买过东西 要我扫码付运费
    who: telegram:9001
    when: '2026-12-06T08:00:00+00:00'
  - intent: out_of_scope
    text: 村口路灯坏了好几天
    who: terminal:station
    when: '2026-12-06T08:01:00+00:00'
  - intent: fraud.no_such_thing
    text: 这是什么
    who: telegram:9001
    when: '2026-12-06T08:02:00+00:00'
  - intent: fraud.fake_shopping
    text: 没写是谁
    when: '2026-12-06T08:03:00+00:00'
"""


def test_reviewed_questions_join_their_intents_with_their_own_file_and_line(tmp_path: Path) -> None:
    faq_dir = tmp_path / "faq"
    shutil.copytree(PROJECT_ROOT / "faq", faq_dir)
    (faq_dir / "reviewed.yaml").write_text(REVIEWED, encoding="utf-8")
    faq, problems = parse_faq(faq_dir)

    shopping = faq["fraud.fake_shopping"]
    assert shopping.examples[-1] == "收到个快递没买过东西 要我扫码付运费"
    assert shopping.example_files[-1] == str(faq_dir / "reviewed.yaml") and shopping.example_lines[-1] == 2
    assert shopping.example_files[0] == shopping.source == str(faq_dir / "fraud_online.yaml")
    assert len(shopping.example_files) == len(shopping.example_lines) == len(shopping.examples)
    assert faq.out_of_scope[-1] == "村口路灯坏了好几天"
    assert [str(p) for p in problems if "reviewed" in p.message] == [
        f"{faq_dir / 'reviewed.yaml'}:10: error: reviewed: unknown intent fraud.no_such_thing",
        f"{faq_dir / 'reviewed.yaml'}:14: error: reviewed: expected intent, text, who, when",
    ]


def test_the_shipped_reviewed_file_loads_empty() -> None:
    faq, problems = parse_faq(PROJECT_ROOT / "faq")
    assert not [p for p in problems if "reviewed" in p.file]
    assert (PROJECT_ROOT / "faq" / "reviewed.yaml").is_file()
