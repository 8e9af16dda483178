"""The urgency word lists (faq/urgency.yaml) on the kinds of danger review item 18 named: a lock pried
at night, a child not home after dark, a break-in heard now; and the questions about them that page nobody."""

from __future__ import annotations

from pathlib import Path

import pytest

from intents.faq import load_faq
from intents.normalise import Normaliser
from intents.urgency import Urgency

FAQ = Path(__file__).resolve().parents[2] / "faq"


@pytest.fixture(scope="module")
def urgency() -> Urgency:
    faq = load_faq(FAQ)
    return Urgency(faq.urgency, Normaliser(faq.typos))


@pytest.mark.parametrize(
    "message",
    [
        "后半夜了 窗户那边一直有人在撬 我好怕",  # a lock pried at night
        "暗时有人在我家后门那里弄锁",
        "都八点多了 我孙女还没到家 老师说早就放学了",  # a child not home after dark
        "阿明到暗还未转来 手机也打不通",
        "楼梯那边有脚步声 有人进来了 我在房间里不敢出去",  # a break-in heard now
        "有人在扭我家的门 我一个人在家",
        "It's already dark and my little girl is not back from school",
    ],
)
def test_danger_told_in_other_words_pages(urgency: Urgency, message: str) -> None:
    assert urgency.says_now(message)


@pytest.mark.parametrize(
    "message",
    [
        "晚上出门要怎么防小偷撬锁",
        "孩子天黑了还没回家的话 应该先找谁",
        "上个月家里进过贼 后来抓到了 现在门锁要换吗",
        "What should I do if my son is not home after dark",
    ],
)
def test_questions_about_the_same_dangers_page_nobody(urgency: Urgency, message: str) -> None:
    assert not urgency.says_now(message)
