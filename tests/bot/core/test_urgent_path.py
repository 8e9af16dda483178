"""The urgent path: danger told as happening now pages the officer; a question about it does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intents.faq import parse_faq

SET = Path(__file__).resolve().parents[3] / "benchmarks" / "urgent_set.jsonl"


@pytest.fixture
def villager(world):
    person = world.person(7)
    person.send("/start QS001")
    return person


def paged(world, replies) -> bool:
    """Whether the villager was told the officer is paged, and the officer has the card."""
    told = world.faq.message("urgent.paged", "zh", number=1) in [r.text for r in replies]
    return told and len(world.person(1001).inbox) == 1


def test_asking_what_to_do_if_scammed_is_answered_and_pages_nobody(villager, world):
    replies = villager.send("被骗了怎么办")
    assert world.faq["fraud.already_scammed"].first("zh") in replies[0].text
    assert world.faq.message("urgent.lead", "zh") not in [r.text for r in replies]
    assert world.person(1001).inbox == []


def test_the_same_question_in_english_pages_nobody(world):
    mary = world.person(8, lang="en")
    mary.send("/start QS001")
    replies = mary.send("what should I do if I get scammed")
    assert world.faq.message("urgent.lead", "en") not in [r.text for r in replies]
    assert world.person(1001).inbox == []


def test_a_news_story_pages_nobody(villager, world):
    replies = villager.send("听说镇上昨晚有户人家着火了 烧得很厉害")
    assert world.faq.message("urgent.lead", "zh") not in [r.text for r in replies]
    assert world.person(1001).inbox == []


def test_someone_prying_the_back_door_lock_pages_the_officer(villager, world):
    replies = villager.send("有人在撬我家后门的锁")
    assert replies[0].text == world.faq.message("urgent.lead", "zh")
    assert paged(world, replies)
    (card,) = world.person(1001).inbox
    assert card.text.startswith(world.faq.message("card.urgent", "zh")) and "后门的锁" in card.text


def test_a_child_not_home_after_dark_pages_the_officer(villager, world):
    replies = villager.send("天都黑了 孩子还没回来 村里找遍了")
    assert replies[0].text == world.faq.message("urgent.lead", "zh")
    assert paged(world, replies)


def test_money_moved_months_ago_is_answered_but_pages_nobody_and_a_caller_still_on_the_line_does(villager, world):
    villager.send("上个月被人骗了两千块 还能追回来吗")
    assert world.person(1001).inbox == []
    replies = villager.send("上个月被骗过一次 现在又有人还在电话里叫我转钱")
    assert paged(world, replies)


def test_the_urgent_set_has_both_labels_and_none_of_its_lines_is_in_the_faq(world):
    rows = [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 100
    assert {r["urgent"] for r in rows} == {True, False}
    assert all(isinstance(r["text"], str) and r["text"].strip() for r in rows)
    normalise = world.services.knowledge().matcher.normalise
    faq = world.faq
    known = {normalise(e) for i in faq.intents.values() for e in i.examples} | set(map(normalise, faq.out_of_scope))
    copied = [r["text"] for r in rows if normalise(r["text"]) in known]
    assert copied == []


def test_an_unknown_urgency_list_is_a_faq_problem(tmp_path):
    (tmp_path / "urgency.yaml").write_text("urgency:\n  sooner: [现在]\n  now: [现在]\n", encoding="utf-8")
    faq, problems = parse_faq(tmp_path)
    assert faq.urgency == {"now": ("现在",)}
    assert any("urgency.sooner" in p.message for p in problems)
