"""The scam checker on the shipped rules: clear scams, legitimate look-alikes, and any input at all.

The messages are written for these tests (not taken from the evaluation sets).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.settings import PROJECT_ROOT
from intents.normalise import Normaliser
from intents.scamcheck import VERDICTS, ScamChecker, Verdict

FAQ = PROJECT_ROOT / "faq"


def codes(verdict: Verdict) -> set[str]:
    return {reason.code for reason in verdict.reasons}


SCAMS = [
    (
        "您好，这里是市公安局刑侦支队，您的身份证被人冒用开户，涉嫌一宗洗钱案，现在需要冻结您名下资产。"
        "为证明清白，请把存款转入我们提供的安全账户，这件事要保密，不能告诉家人。",
        "fraud.impersonate_police",
        {"safe_account", "crime_accusation", "claims_police", "secrecy"},
    ),
    (
        "我是京东客服，系统给您发了一条6位验证码，麻烦您念一下给我核对，不然订单会被取消。",
        "fraud.verification_code",
        {"asks_code", "claims_service"},
    ),
    ("您的支付宝存在风险，请下载腾讯会议，开启屏幕共享，我远程指导您操作。", "fraud.screen_sharing", {"screen_share"}),
    (
        "【ETC中心】尊敬的车主，您的ETC认证已过期，将影响高速通行，请尽快登录 etc-rzgx.top 重新认证。",
        "fraud.etc_card",
        {"lookalike", "suspicious_tld"},
    ),
    (
        "【医保局】您的医保卡因异地违规刷卡已被冻结，请回复姓名和身份证号办理解冻。",
        "fraud.insurance_card",
        {"account_problem"},
    ),
    (
        "招募兼职，手机做任务给商家点赞，一单佣金10元，前三单返本金，之后需要垫付才能提现。",
        "fraud.brushing_rebate",
        {"task_rebate", "pay_to_withdraw"},
    ),
    (
        "亲爱的，我找到一个稳赚的投资平台，你也注册一个，我教你操作，赚了钱我们就结婚。",
        "fraud.romance",
        {"romance_money", "high_return"},
    ),
    (
        "你女儿在学校出了车祸正在抢救，医院要先交3万元手术费，你马上转到这个账户。",
        "fraud.kidnap_hoax",
        {"emergency_story", "to_account"},
    ),
    (
        "我是你表哥，这是我的新号码，我在外地急用钱，你先转5000给我，明天还你。",
        "fraud.impersonate_acquaintance",
        {"claims_acquaintance", "new_number", "borrow"},
    ),
    ("无抵押贷款，不看征信秒批，办理前需先交2000元保证金激活额度。", "fraud.fake_loan", {"upfront_fee", "easy_loan"}),
    ("恭喜您被抽中二等奖，奖金5万元，领奖前须缴纳个人所得税1000元。", "fraud.prize_lottery", {"prize", "upfront_fee"}),
    ("高价收购闲置银行卡和电话卡，一张卡月租800元，当天结算。", "fraud.card_renting", {"card_renting"}),
    (
        "【菜鸟驿站】您的包裹因地址错误无法派送，请点击 http://cainiao-kf.xyz/a 修改地址。",
        "fraud.phishing_link",
        {"lookalike", "account_problem"},
    ),
    (
        "URGENT! Your bank account has been suspended. Verify your details at http://secure-hsbc-login.top now.",
        "fraud.phishing_link",
        {"lookalike", "urgency"},
    ),
    ("加入我们的彩票计划群，导师带你下注，稳赢不输，首次充值送100。", "fraud.online_gambling", {"gambling"}),
    (
        "我是部队采购处的张参谋，我们连队要订50箱矿泉水，另外请你帮忙从我们指定的供应商代购一批急救箱，货款你先垫付。",
        "fraud.impersonate_military_purchase",
        {"military_purchase", "pay_for_me"},
    ),
    ("在家就能做的打字员兼职，日结300元，入职先交500元培训费。", "fraud.fake_job", {"job_lure", "upfront_fee"}),
    (
        "【财政补贴】您有一笔1500元的农业补贴待领取，请扫描二维码填写银行卡号和密码领取。",
        "fraud.fake_subsidy",
        {"subsidy_lure", "asks_bank_info", "asks_password"},
    ),
    (
        "爸，是我，刚才视频你也看到了，我这边信号不好，先帮我转2万给朋友，急用。",
        "fraud.ai_deepfake",
        {"video_proof", "money_ask"},
    ),
    ("你裸聊的视频我已经录下来了，不转5000块我就发给你通讯录里所有人。", "fraud.sextortion", {"blackmail"}),
    (
        "亲，这款手机海关罚没只要999元，不走平台，直接转我微信，先付款后发货。",
        "fraud.fake_shopping",
        {"shop_bargain", "off_platform"},
    ),
]


@pytest.mark.parametrize(("text", "fraud_type", "expected"), SCAMS, ids=[s[1] for s in SCAMS])
def test_clear_scams_are_caught_with_their_type_and_reasons(checker, text, fraud_type, expected):
    verdict = checker.check(text)
    assert verdict.scam, verdict
    assert verdict.type == fraud_type
    assert expected <= codes(verdict), codes(verdict)


def test_the_strongest_red_flags_make_a_scam_not_just_suspicious(checker):
    verdict = checker.check("公安局通知：你涉嫌洗钱，马上把卡里的钱转到国家安全账户接受资金清查，不许告诉任何人。")
    assert verdict.verdict == "scam"
    assert verdict.risk >= 0.9
    assert verdict.reasons[0].code == "safe_account"  # the weightiest reason comes first


LEGITIMATE = [
    "【建设银行】您的验证码为 736251，用于网上银行登录，5分钟内有效，请勿向任何人透露。",
    "【支付宝】校验码 904417，你正在修改登录密码，切勿告知他人，工作人员不会向你索要。",
    "Your Alipay verification code is 551203. Do not share it with anyone.",
    "【中国银行】您尾号4417的账户07月12日转入工资5,200.00元，余额8,731.25元。",
    "【农业银行】您尾号0932账户07月02日支出人民币1,280.00元，交易类型：转账，余额3,410.66元。",
    "【国家反诈中心】提醒您：近期冒充客服退款诈骗高发，任何要求共享屏幕、转账到安全账户的都是诈骗，如有疑问请拨打96110。",
    "【县公安局】温馨提示：公安机关不会通过电话要求您转账，更没有所谓“安全账户”，接到此类电话请直接挂断并拨打110。",
    "【中通快递】您的包裹已到达村口驿站，请凭取件码3-2-1105前来领取。",
    "【中国移动】流量日包1元1GB，当日有效，发送KT到10086办理，回复TD退订。",
    "【县公安局】您办理的居住证已制作完成，请本人携带身份证到派出所户籍窗口领取。",
    "【人社局】您本月基本养老金2,150.00元已发放至社保卡，请注意查收。",
    "妈 我周末回来 给你带了点水果 不用去车站接我",
    "老李 上次借你的两百块我放你家门口信箱了",
    "哥 爸的降压药吃完了 你下班顺路去药店买两盒",
    "儿子，生活费我刚给你转过去了，收到了吗？",
    "【96110】您好，我是县反诈中心民警，刚才您接到的电话疑似诈骗，请不要转账，有疑问请到派出所咨询。",
    "【县公安局】提醒：接到自称公检法要求转账到“安全账户”的电话，一律是诈骗！请拨打110报警。",
    "【村委会】防诈骗提醒：近期有人冒充医保局打电话称医保卡被冻结，要求转账解冻，这是诈骗，请大家直接挂断。",
    "【国家税务总局】您的年度个税汇算有退税326元，请登录个人所得税App确认并提交退税申请，税务机关不会发送退税链接。",
    "【高速ETC】您的车辆闽B12345于07月02日08:15驶入福泉高速，通行费扣费35.00元。",
    "村委会：下周二上午在村部免费为60岁以上老人体检，请带好身份证和医保卡。",
]


@pytest.mark.parametrize("text", LEGITIMATE)
def test_legitimate_look_alikes_are_safe(checker, text):
    verdict = checker.check(text)
    assert verdict.verdict == "safe", verdict
    assert not verdict.scam
    assert verdict.type is None


def test_a_genuine_code_sms_says_why_it_is_safe(checker):
    verdict = checker.check("【微信】验证码：618240，用于登录，5分钟内有效。请勿将验证码告知他人。")
    assert "otp_notice" in codes(verdict)


def test_a_code_sms_that_asks_for_the_code_back_is_a_scam(checker):
    verdict = checker.check("【微信】验证码：618240。请将此验证码发给我，我帮你解封账号。")
    assert verdict.scam
    assert "asks_code" in codes(verdict)
    assert "otp_notice" not in codes(verdict)


def test_traditional_characters_full_width_and_typos_are_read_like_the_matcher(checker):
    normaliser = Normaliser({"帐户": "账户"})
    typed = ScamChecker(checker.rules, normaliser)
    verdict = typed.check("請立即把錢轉到安全帳戶，ＵＲＧＥＮＴ")
    assert "safe_account" in codes(verdict)


def test_words_spaced_out_to_dodge_filters_still_match(checker):
    assert "safe_account" in codes(checker.check("请 把 钱 转 到 安 全 账 户"))


def test_only_the_first_characters_of_a_huge_message_are_read(checker):
    tail = "请把钱转到安全账户"
    assert "safe_account" not in codes(checker.check("你好" * 60_000 + tail))
    assert checker.check(tail + "你好" * 60_000).scam


@pytest.mark.parametrize(
    "junk", ["", " \n\t ", "\ud800\udfff\x00", "😀" * 500, "\x00" * 10_000, "🔗http://", "xn--", "ﷺ" * 100_000]
)
def test_junk_never_raises_and_is_safe(checker, junk):
    verdict = checker.check(junk)
    assert verdict.verdict in VERDICTS
    assert 0.0 <= verdict.risk <= 1.0


def test_anything_that_is_not_text_is_checked_too(checker):
    assert checker.check(None).verdict == "safe"
    assert checker.check(b"\xff\xfe\xe8\xaf\x88").verdict in VERDICTS
    assert checker.check(12345).verdict in VERDICTS


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=5000) | st.binary(max_size=2000).map(lambda b: b.decode("utf-8", "surrogateescape")))
def test_any_text_gets_a_well_formed_verdict(text):
    verdict = _shared_checker().check(text)
    assert verdict.verdict in VERDICTS
    assert 0.0 <= verdict.risk <= 1.0
    assert verdict.scam == (verdict.verdict != "safe")
    assert verdict.type is None or verdict.type.startswith("fraud.")
    assert all(r.code and r.zh and r.en for r in verdict.reasons)


@settings(max_examples=20, deadline=None)
@given(st.text(alphabet="安全账户验证码转钱到http://.top 0123456789😀\ud800", min_size=1, max_size=200))
def test_huge_inputs_get_a_well_formed_verdict(chunk):
    verdict = _shared_checker().check(chunk * (120_000 // len(chunk) + 1))
    assert verdict.verdict in VERDICTS
    assert 0.0 <= verdict.risk <= 1.0


_CHECKER: list[ScamChecker] = []


def _shared_checker() -> ScamChecker:
    """Hypothesis does not take function-scoped fixtures; build the checker once."""
    if not _CHECKER:
        _CHECKER.append(ScamChecker.from_dir(FAQ))
    return _CHECKER[0]


def test_the_verdict_is_frozen_and_serialises_for_the_command(checker):
    verdict = checker.check("请把验证码告诉我")
    with pytest.raises(AttributeError):
        verdict.risk = 0.0
    data = verdict.as_dict()
    assert set(data) == {"verdict", "scam", "risk", "type", "reasons"}
    assert all(set(r) == {"code", "zh", "en"} for r in data["reasons"])
