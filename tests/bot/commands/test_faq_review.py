"""`cunjing faq review` in a terminal, answers piped in: the same loop as `/review` in Telegram, on
SQLite and PostgreSQL, writing to a copy of the FAQ."""

from __future__ import annotations

import getpass
import io
import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import review
from bot.cli import main
from bot.settings import PROJECT_ROOT, DatabaseSettings, load_settings
from bot.store import usage
from bot.store.models_outreach import AskedQuestion
from intents.faq import load_faq
from intents.matcher import Match

PARCEL = "收到个快递没买过东西 要我扫码付运费"
DOG = "狗丢了咋办"
LAMP = "村口路灯坏了好几天"


@pytest.fixture
def faq_copy(tmp_path: Path, database: DatabaseSettings, factory: sessionmaker[Session],
             monkeypatch: pytest.MonkeyPatch) -> Path:
    faq = tmp_path / "faq"
    shutil.copytree(PROJECT_ROOT / "faq", faq)
    monkeypatch.setenv("CUNJING_DATABASE__URL", database.effective_url)
    monkeypatch.setenv("CUNJING_FAQ__DIR", str(faq))
    with factory.begin() as session:
        for text in (PARCEL, DOG, "今天天气不错", LAMP, DOG):
            answered = text == "今天天气不错"  # answered surely: not for review
            usage.record_question(session, None, text, Match("chat.greeting" if answered else None, 0.95, ()))
    return faq


def review_session(answers: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(answers))
    assert main(["faq", "review", "--no-calibrate"]) == 0
    return capsys.readouterr().out


def test_the_terminal_labels_skips_and_quits(
    faq_copy: Path, factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = review_session("1\ns\nq\n", monkeypatch, capsys)
    assert f"#1 [fell back] {PARCEL}" in out and "1. fraud.fake_shopping" in out
    assert "#1 added as fraud.fake_shopping" in out and "#2 skipped" in out
    assert "今天天气不错" not in out  # answered surely: not offered
    who = f"terminal:{getpass.getuser()}"
    [entry] = yaml.safe_load((faq_copy / review.FILE).read_text(encoding="utf-8"))["reviewed"]
    assert (entry["intent"], entry["text"], entry["who"]) == ("fraud.fake_shopping", PARCEL, who)
    with factory() as session:
        rows = session.scalars(select(AskedQuestion).order_by(AskedQuestion.id))
        marks = [(q.text, q.review, q.reviewed_by) for q in rows]
    assert marks == [
        (PARCEL, "fraud.fake_shopping", who),
        (DOG, "skip", who),
        ("今天天气不错", None, None),
        (LAMP, None, None),  # quit before it
        (DOG, "skip", who),  # the same words: not offered again
    ]
    # the FAQ as the bot loads it now answers the question it could not
    settings = load_settings()
    assert load_faq(settings.faq.dir)["fraud.fake_shopping"].examples[-1] == PARCEL

    again = review_session("o\n", monkeypatch, capsys)  # the next session starts where this one stopped
    assert f"#4 [fell back] {LAMP}" in again and "#4 added as out_of_scope" in again
    assert "nothing left to review" in again
    assert LAMP in load_faq(settings.faq.dir).out_of_scope


def test_a_typo_asks_again_and_end_of_input_stops(faq_copy: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = review_session("7\n", monkeypatch, capsys)
    assert "type 1-3, o, s or q" in out and out.count(f"#1 [fell back] {PARCEL}") == 2
    assert "0 question(s) added" in out
    assert yaml.safe_load((faq_copy / review.FILE).read_text(encoding="utf-8"))["reviewed"] is None
