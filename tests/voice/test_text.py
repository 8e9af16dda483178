"""Cutting texts into sentences and chunks, their language, and numbers said digit by digit."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from voice.text import detect_lang, sentences, speakable, split_chunks


def test_language_of_a_text() -> None:
    assert detect_lang("有人让我转账") == "zh"
    assert detect_lang("下载国家反诈中心APP") == "zh"
    assert detect_lang("Call 110 now") == "en"


def test_sentences_end_at_chinese_and_english_marks_and_newlines() -> None:
    text = "不要转账！骗子会说“这是安全账户。”你要挂断？拨打110；再想想\nCall 110. Do not pay!Really? It is 3.5 yuan"
    assert sentences(text) == [
        "不要转账！",
        "骗子会说“这是安全账户。”",
        "你要挂断？",
        "拨打110；",
        "再想想",
        "Call 110.",
        "Do not pay!",
        "Really?",
        "It is 3.5 yuan",
    ]


def test_a_long_sentence_is_cut_at_commas_then_spaces() -> None:
    long = "骗子冒充公安，说您涉嫌洗钱，要您把钱转到安全账户，还不许告诉家人，这些都是诈骗的套路。"
    chunks = split_chunks(long, max_chars=16)
    assert chunks == [
        "骗子冒充公安，说您涉嫌洗钱，",
        "要您把钱转到安全账户，",
        "还不许告诉家人，",
        "这些都是诈骗的套路。",
    ]
    english = "Never tell anyone the code in a text message from your bank even when the caller says he is police."
    assert all(len(c) <= 30 for c in split_chunks(english, 30))
    assert " ".join(split_chunks(english, 30)) == english


def test_punctuation_alone_is_not_a_chunk() -> None:
    assert split_chunks("……！！\n\n。") == []
    assert split_chunks("注意！！！…… 小心。") == ["注意！！！……", "小心。"]


@given(st.text(alphabet="骗子转账钱abc xyz。！？，,.!?;\n110", max_size=300), st.integers(min_value=1, max_value=50))
def test_chunks_keep_every_word_in_order_and_respect_the_limit(text: str, limit: int) -> None:
    chunks = split_chunks(text, limit)
    assert all(0 < len(c) <= limit for c in chunks)
    assert all(any(ch.isalnum() for ch in c) for c in chunks)

    def words(s: str) -> str:
        return re.sub(r"[^\w]", "", s)

    # nothing is lost but punctuation-only pieces and spaces
    assert words("".join(chunks)) == words(text)


def test_service_numbers_are_said_digit_by_digit() -> None:
    assert speakable("请拨打110或96110。", "zh") == "请拨打幺幺零或九六幺幺零。"
    assert speakable("损失3000元，2024年", "zh") == "损失3000元，2024年"
    assert speakable("Call 110 now", "en") == "Call  1 1 0  now"
    assert speakable("请拨打13812345678", "zh") == "请拨打幺三八幺二三四五六七八"
