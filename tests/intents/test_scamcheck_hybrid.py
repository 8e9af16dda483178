"""Issue 16: police reminders are never scams, the missed kinds are caught, and the n-gram model.

The messages are written for these tests (not taken from the evaluation sets or the written set).
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from bot.services import encoder_of
from bot.settings import PROJECT_ROOT, load_settings
from intents.scam_meaning import MeaningHead
from intents.scam_model import MODEL_FILE, ScamModel, buckets, fit_weights, load_model
from intents.scam_training import MESSAGES_FILE, folds, read_messages, train
from intents.scamcheck import MODEL_REASON, REMINDER, ScamChecker
from tests.shared import shared_file

FAQ = PROJECT_ROOT / "faq"


REMINDERS = [
    "【莆田公安】提醒您：凡是自称客服、公检法，让您共享屏幕的，一律是诈骗！请勿转账，如有疑问拨打96110。",
    "【国家反诈中心】温馨提示：陌生人让您下载会议软件、开启屏幕共享的，一律是诈骗，请立即挂断。",
    "【仙游县公安局】凡是让您把钱转到安全账户的，都是诈骗！公检法不会电话办案。",
    "【涵江派出所】谨防冒充客服退款诈骗，退款请走购物平台官方渠道。",
    "【秀屿反诈中心】提醒：网上要您先垫钱做任务、刷单返利的，统统是诈骗。",
    "【农业银行】温馨提示：本行不会以任何理由要求您提供短信验证码或转账到安全账户。",
]


@pytest.mark.parametrize("text", REMINDERS)
def test_a_police_reminder_is_safe_and_says_it_is_a_reminder(checker, rules_only, text):
    for judge in (checker, rules_only):
        verdict = judge.check(text)
        assert verdict.verdict == "safe", (verdict, text)
        assert verdict.reasons[0].code == REMINDER or REMINDER in {r.code for r in verdict.reasons}
    assert "反诈" in checker.rules.reasons[REMINDER].zh


def test_a_96110_call_and_a_school_notice_are_not_suspicious(checker):
    for text in ("您好，这里是96110反诈专线，您刚才接到的电话疑似诈骗，请不要给对方转账。",
                 "【第二中学】各位家长：学校收费一律通过官方缴费平台，请勿向个人转账，谨防诈骗。"):
        assert checker.check(text).verdict == "safe", text


def test_a_scam_dressed_as_a_police_reminder_is_still_a_scam(checker):
    verdict = checker.check("【莆田公安】提醒您：凡是不配合调查的一律是诈骗同伙！你的银行卡涉嫌洗钱，"
                            "请马上把存款转入安全账户，不要告诉家人。")
    assert verdict.verdict == "scam"
    assert REMINDER not in {r.code for r in verdict.reasons}


def test_a_warning_hides_only_itself(rules_only):
    """A scam that ends with "谨防诈骗", or reassures "we will not ask you to pay a person", is still read."""
    for text in ("请马上把存款转入安全账户，谨防诈骗分子盗刷。",
                 "我是贷款平台客服，提现失败需要充值保证金才能继续，我们不会要求您向个人账户转账，请走官方通道。"):
        verdict = rules_only.check(text)
        assert verdict.scam, (verdict, text)
        assert REMINDER not in {r.code for r in verdict.reasons}


MISSED = [
    ("帮忙关注一下这个公众号，关注后截图给我，一单给你8块钱佣金。", "fraud.brushing_rebate", "follow_task"),
    ("恭喜！您的刮刮卡刮出一等奖18万元，请先交公证费3000元办理领奖。", "fraud.prize_lottery", "scratch_card"),
    ("收电话卡和身份证，借我用一个月，每月给你500块。", "fraud.card_renting", "card_renting"),
    ("朋友公司的原始股，明年上市翻十倍，现在认购还有名额，先转两万。", "fraud.fake_investment", "original_shares"),
    ("我摸清了这个平台的开奖规律，跟着我下注包赚，先充值一千。", "fraud.online_gambling", "winning_pattern"),
    ("奶奶，我是小强，我手机收到一个验证码，你帮我截张图发过来。", "fraud.verification_code", "asks_code"),
    ("这台冰箱你要的话别走平台了，平台收手续费，直接微信转我就行。", "fraud.fake_shopping", "deal_off_platform"),
    ("在这里聊不方便，你下载个飞聊，安装时点允许访问通讯录。", None, "contacts_access"),
]


@pytest.mark.parametrize(("text", "fraud_type", "code"), MISSED)
def test_each_missed_kind_is_caught(checker, rules_only, text, fraud_type, code):
    for judge in (rules_only, checker):
        verdict = judge.check(text)
        assert verdict.scam, (verdict, text)
        assert code in {r.code for r in verdict.reasons}
        if fraud_type:
            assert verdict.type == fraud_type


def test_a_verification_account_is_a_loan_scam_and_an_atm_refund_a_subsidy_scam(checker):
    loan = checker.check("您的贷款已审批，放款前请将3万元转入验资账户，证明您的还款能力，验资后退还。")
    atm = checker.check("您有一笔退税款880元待领取，请到附近的ATM机按我们客服的提示操作。")
    assert (loan.verdict, loan.type) == ("scam", "fraud.fake_loan")
    assert (atm.verdict, atm.type) == ("scam", "fraud.fake_subsidy")


# --- the model ---------------------------------------------------------------------------------


def test_the_written_set_is_large_enough_and_labelled(tmp_path):
    rows = read_messages(FAQ / MESSAGES_FILE)
    assert sum(r.scam for r in rows) >= 400
    assert sum(not r.scam for r in rows) >= 400
    assert all(r.kind for r in rows)
    header = json.loads((FAQ / MESSAGES_FILE).read_text(encoding="utf-8").splitlines()[0])
    assert header["sources"]


def test_the_written_set_copies_no_line_of_the_public_sets():
    ours = {r.text.strip() for r in read_messages(FAQ / MESSAGES_FILE)}
    dev = shared_file("eval", "dev-messages.jsonl")  # skips without ../shared
    theirs = {json.loads(line)["text"].strip() for line in dev.read_text(encoding="utf-8").splitlines() if line.strip()}
    telecom = dev.parents[1] / "data" / "telecom-fraud-texts-5" / "combined_utf8.csv"
    if telecom.is_file():
        import csv

        with telecom.open(encoding="utf-8", newline="") as f:
            theirs |= {row["text"].strip() for row in csv.DictReader(f)}
    assert not ours & theirs


def test_a_kind_stays_in_one_fold():
    fold = folds(["a", "a", "b", "c", "b", "", ""], k=2)
    assert fold[0] == fold[1] and fold[2] == fold[4]
    assert fold == folds(["a", "a", "b", "c", "b", "", ""], k=2)


def test_the_model_file_round_trips(tmp_path):
    shipped = load_model(FAQ / MODEL_FILE)
    assert shipped is not None
    shipped.write(tmp_path / MODEL_FILE)
    again = load_model(tmp_path / MODEL_FILE)
    assert again is not None
    assert (tmp_path / MODEL_FILE).read_bytes() == (FAQ / MODEL_FILE).read_bytes()
    assert np.array_equal(again.weights, shipped.weights) and again.combine == shipped.combine
    text = "喂，我是你领导，明天来我办公室，先帮我转两万给一个朋友"
    assert again.logit(text) == shipped.logit(text)


def test_a_model_without_its_file_leaves_the_rules_alone(tmp_path):
    faq = tmp_path / "faq"
    shutil.copytree(FAQ, faq)
    (faq / MODEL_FILE).unlink()
    assert ScamChecker.from_dir(faq).model is None
    assert load_model(faq / MODEL_FILE) is None


def test_training_is_deterministic_and_matches_the_shipped_model(tmp_path):
    """`cunjing faq calibrate` twice gives the same file; the shipped one is up to date (its meaning
    head to float precision: the encoder's arithmetic may differ in the last bits between CPUs)."""
    shipped = json.loads((FAQ / MODEL_FILE).read_text(encoding="utf-8"))
    trained = train(FAQ, encoder_of(load_settings())).as_json()
    head, shipped_head = trained.pop("meaning"), shipped.pop("meaning")
    assert trained == shipped
    assert head["encoder"] == shipped_head["encoder"]
    assert np.allclose(head["combine"], shipped_head["combine"], atol=1e-3)
    weights = [MeaningHead.from_json(h).weights for h in (head, shipped_head)]
    assert np.allclose(*weights, atol=1e-3)
    docs = [buckets(t) for t in ("先转账", "验证码是1234", "转账给我", "明天回家")]
    w1, b1 = fit_weights(docs, [True, False, True, False], steps=50)
    w2, b2 = fit_weights(docs, [True, False, True, False], steps=50)
    assert np.array_equal(w1, w2) and b1 == b2


def test_decisions_are_deterministic(checker):
    again = ScamChecker.from_dir(FAQ, encoder=checker.encoder)
    for text, _, _ in MISSED:
        assert checker.check(text) == again.check(text)


def test_the_model_alone_can_flag_a_message_with_a_generic_reason(rules_only):
    """A model that is sure of a scam decides even when no rule fired; the reason is then generic."""
    text = "宝宝在吗，今晚的单子老地方见"
    assert rules_only.check(text).verdict == "safe"
    sure = ScamModel(np.zeros(1 << 16), 10.0, (-4.0, 8.0, 1.5))
    verdict = ScamChecker(rules_only.rules, model=sure).check(text)
    assert verdict.verdict == "scam"
    assert [r.code for r in verdict.reasons] == [MODEL_REASON]


def test_english_is_left_to_the_rules(rules_only):
    sure = ScamModel(np.zeros(1 << 16), 10.0, (-4.0, 8.0, 1.5))
    text = "See you at the market tomorrow, bring the eggs"
    assert ScamChecker(rules_only.rules, model=sure).check(text) == rules_only.check(text)


def test_ngrams_hash_the_same_in_every_process():
    assert buckets("验证码").tolist() == sorted(set(buckets("验证码").tolist()))
    assert buckets("ab").size == 3 and buckets("").size == 0
    assert buckets("转账123").tolist() == buckets("转账999").tolist()  # digits are all alike
