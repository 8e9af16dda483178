"""Issue 17: what the guard of a village group answers. Police reminders that end "…的，马上挂电话",
villagers telling how they turned a scam away, and the group scam posts the fresh part showed missed.

The messages are written for these tests (not taken from benchmarks/group_messages.jsonl or the
evaluation sets).
"""

from __future__ import annotations

import json

import pytest

from bot.core.guard import answers
from bot.settings import PROJECT_ROOT
from intents.scamcheck import REMINDER, ScamChecker

FAQ = PROJECT_ROOT / "faq"
GROUP_SET = PROJECT_ROOT / "benchmarks" / "group_messages.jsonl"
PARTS = ["before", "after", "fresh", "blind2"]  # the `part` of each line, in the order they were written


@pytest.fixture(scope="module")
def checker() -> ScamChecker:
    return ScamChecker.from_dir(FAQ)


@pytest.fixture(scope="module")
def rules_only() -> ScamChecker:
    return ScamChecker.from_dir(FAQ, with_model=False)


def answered(judge: ScamChecker, text: str) -> bool:
    return answers(judge.check(text), judge.rules.group_at)


@pytest.mark.parametrize("text", [
    "派出所提醒：有人让你下载会议软件、开屏幕共享的，立即挂断，再打96110问问",
    "民警提示：自称客服要你开通共享屏幕的，直接拉黑",
    "【村警提醒】让你扫码领补贴、填银行卡密码的，马上报警",
    "提醒大家，网上教你玩游戏送装备的都是骗孩子的，别让孩子乱转钱",
])
def test_a_police_reminder_that_says_what_to_do_is_safe(checker, rules_only, text):
    for judge in (checker, rules_only):
        verdict = judge.check(text)
        assert verdict.verdict == "safe", (verdict, text)
    assert REMINDER in {r.code for r in rules_only.check(text).reasons} or rules_only.check(text).risk < 0.4


@pytest.mark.parametrize("text", [
    "昨天有人打电话说我的快递丢了要理赔，要我开屏幕共享，我直接挂了",
    "有个陌生号码发短信说我的补贴到账了让我点链接登记，我没点",
    "有人加我进了一个炒股群，天天晒收益，还让交会员费，我已经退群了",
    "村头有人说交五百块保证金就能领救灾款，我才不信",
])
def test_a_villager_telling_how_they_turned_a_scam_away_is_not_answered(checker, text):
    verdict = checker.check(text)
    assert not answers(verdict, checker.rules.group_at), (verdict, text)
    assert verdict.verdict == "safe", (verdict, text)


def test_being_blocked_by_the_scammer_or_a_testimonial_is_no_refusal(rules_only):
    """"他把我拉黑了" is what a victim says after paying, "我没交钱就领到了" a pitch: neither is a refusal."""
    refused = next(rule for rule in rules_only.rules.legit if rule.code == "refused")
    assert refused.pattern.fires(rules_only.prepare("我已经把他拉黑了"), set())
    assert not refused.pattern.fires(rules_only.prepare("钱转过去以后，对方就把我拉黑了"), set())
    assert not refused.pattern.fires(rules_only.prepare("我没理由骗你，赶紧交钱"), set())
    assert not refused.pattern.fires(rules_only.prepare("我没交一分钱就领到了补贴，快去登记"), set())  # a testimonial


def test_a_scam_post_that_says_no_is_still_answered(checker):
    """A post that carries its own link cannot hide behind "我没点"."""
    text = "我没点别的链接，就点的这个 http://bt-lingqu.top 填银行卡号和密码，补贴马上到账，大家快去领"
    assert answered(checker, text)


@pytest.mark.parametrize("text", [
    "跟着陈老师投了一个养老基地项目，月息6%，保本保息，还有两个名额，想加入的私我",
    "有没有想一起做黄金的？老师带单，日赚百分之三，好几个人都赚到了",
    "兼职刷单，帮店铺拍单冲销量，每单返佣百分之十二，本金立即返，速来",
])
def test_the_group_scam_posts_the_fresh_part_missed_are_answered(checker, text):
    assert answered(checker, text), (checker.check(text), text)


def test_a_loan_rate_is_no_investment_return(rules_only):
    """"月息0.8%" is what a loan costs; only a monthly yield no loan charges reads as a high return."""
    high = next(rule for rule in rules_only.rules.flags if rule.code == "high_return")
    assert not high.pattern.fires(rules_only.prepare("信用社贷款月息0.8%，到柜台办理"), set())
    assert high.pattern.fires(rules_only.prepare("投进去月息8%，稳的"), set())


def test_the_group_set_has_a_fresh_part_and_enough_ordinary_messages():
    rows = [json.loads(line) for line in GROUP_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    fresh = [r for r in rows if r["part"] == "fresh"]
    assert sum(not r["scam"] for r in fresh) >= 100
    assert sum(r["scam"] for r in fresh) >= 30
    assert sum(not r["scam"] for r in rows) >= 300
    assert len({r["text"] for r in rows}) == len(rows)
    kinds = {r["kind"] for r in rows if not r["scam"]}
    assert {"family", "market", "notice", "red_envelope", "police_reminder", "scam_talk"} <= kinds
    assert {r["part"] for r in rows} == set(PARTS)


def test_the_blind2_part_is_a_blind_set_of_the_size_asked_for():
    rows = [json.loads(line) for line in GROUP_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    blind2 = [r for r in rows if r["part"] == "blind2"]
    assert sum(not r["scam"] for r in blind2) >= 200
    assert sum(r["scam"] for r in blind2) >= 40
    assert {"school", "subsidy_notice"} <= {r["kind"] for r in blind2 if not r["scam"]}
    assert {"refund_service", "loan_fee", "brushing", "fake_police", "fake_relative"} <= {
        r["kind"] for r in blind2 if r["scam"]}


BLIND2_BELOW_TARGET = pytest.mark.xfail(strict=True, reason=(
    "blind2, measured once on 2026-12-06 before any change: 32 / 40 scam posts answered (80 %), "
    "below the 90 % target (README, group guard); remove this mark once it is met"))
def part_rows(part: str, scam: bool) -> list[str]:
    rows = [json.loads(line) for line in GROUP_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["text"] for r in rows if r["part"] == part and r["scam"] == scam]


@pytest.mark.parametrize("part", [*PARTS[:-1], pytest.param("blind2", marks=BLIND2_BELOW_TARGET)])
def test_the_guard_answers_90_percent_of_the_scam_posts_of_each_part(checker, part):
    """Scam posts answered >= 90 % (issue 17)."""
    scams = part_rows(part, scam=True)
    assert sum(answered(checker, t) for t in scams) >= 0.9 * len(scams), part


@pytest.mark.parametrize("part", PARTS)
def test_the_guard_answers_at_most_1_percent_of_the_ordinary_messages_of_each_part(checker, part):
    """Ordinary messages answered <= 1 % (issue 17)."""
    ordinary = part_rows(part, scam=False)
    assert sum(answered(checker, t) for t in ordinary) <= 0.01 * len(ordinary), part
