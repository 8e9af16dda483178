"""Links and phone numbers: what the extractors find, and the reasons a villager is shown."""

from __future__ import annotations

import pytest

from bot.settings import PROJECT_ROOT
from intents.links import host_of
from intents.scam_regex import distribute
from intents.scamcheck import ScamChecker

FAQ = PROJECT_ROOT / "faq"


@pytest.fixture(scope="module")
def checker() -> ScamChecker:
    return ScamChecker.from_dir(FAQ)


def links(checker: ScamChecker, text: str):
    return checker.rules.links.find(checker.prepare(text))


def codes(checker: ScamChecker, text: str) -> set[str]:
    return {reason.code for reason in checker.check(text).reasons}


def test_a_raw_ip_address_is_flagged(checker):
    (link,) = links(checker, "账户异常，请登录 http://103.45.67.89:8080/login 验证")
    assert link.ip and not link.official
    assert "ip_link" in codes(checker, "账户异常，请登录 http://103.45.67.89:8080/login 验证")


def test_punycode_is_flagged(checker):
    text = "您的快递待确认 https://xn--fiqs8s.xn--55qx5d.com/parcel"
    (link,) = links(checker, text)
    assert link.punycode
    assert "punycode" in codes(checker, text)


def test_a_url_shortener_is_flagged(checker):
    text = "您的积分即将清零，点击 t.cn/A6xYz9 兑换"
    (link,) = links(checker, text)
    assert link.shortener
    assert "shortener" in codes(checker, text)


@pytest.mark.parametrize(
    "url",
    [
        "http://icbc-pay.top/verify",  # a brand inside someone else's domain
        "https://gov-cn.xyz/subsidy",  # a government look-alike
        "www.1cbc.com.cn",  # a digit for a letter
        "http://taobao-refund.cc/a",
        "https://www.abc-jfdh.vip",
        "m.10086-jf.xyz",
    ],
)
def test_look_alikes_of_brands_and_government_sites_are_flagged(checker, url):
    (link,) = links(checker, f"请登录 {url} 办理")
    assert link.lookalike and not link.official, link
    assert "lookalike" in codes(checker, f"请登录 {url} 办理")


@pytest.mark.parametrize(
    "url", ["https://www.icbc.com.cn/", "u.10010.cn/qAE9U", "https://etax.chinatax.gov.cn", "www.12306.cn", "jd.com"]
)
def test_official_domains_are_not_flagged(checker, url):
    (link,) = links(checker, f"详情见 {url} 谢谢")
    assert link.official and not link.lookalike
    assert not {"bad_link", "lookalike", "ip_link"} & codes(checker, f"详情见 {url} 谢谢")


def test_an_unknown_site_with_a_cheap_ending_is_a_bad_link(checker):
    found = codes(checker, "兼职日结，详情访问 qwe-job88.top")
    assert {"bad_link", "suspicious_tld"} <= found


def test_links_are_found_next_to_chinese_and_in_markdown(checker):
    found = links(checker, "请点击https://gs-tsfw.top填写信息，或[这里](http://abc-bank.cc/x)。")
    assert [link.host for link in found] == ["gs-tsfw.top", "abc-bank.cc"]


def test_numbers_and_amounts_are_not_links(checker):
    assert links(checker, "余额1,203.50元，版本1.2.3，时间12:30，邮箱 a.b 结束") == []


def test_host_of_strips_scheme_user_port_and_path():
    assert host_of("https://user@Sub.Example.com:8443/a?b#c") == "sub.example.com"
    assert host_of("example.com/path") == "example.com"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("我是你领导，有事找你，回电+852 6123 4567", "intl_number"),
        ("请速回电 0044 20 7946 0018 处理您的包裹", "intl_number"),
        ("这是我新号 17012345678，加我微信", "virtual_number"),
        ("客服电话 165****5521 联系我", "virtual_number"),
        ("您的信用卡额度已提升，请致电955880办理", "fake_service_number"),
        ("工商银行客服热线955889为您服务", "fake_service_number"),
    ],
)
def test_suspect_phone_numbers(checker, text, code):
    assert code in codes(checker, text)


@pytest.mark.parametrize(
    "text",
    ["如有疑问请致电95588", "移动客服10086", "余额95,312.47元", "咨询96110", "本机号码13812345678", "+86 13812345678"],
)
def test_ordinary_numbers_are_not_suspect(checker, text):
    assert not {"intl_number", "virtual_number", "fake_service_number"} & codes(checker, text)


@pytest.mark.parametrize(
    ("term", "branches"),
    [
        ("(帮|协助)我买", ["帮我买", "协助我买"]),
        ("[三双]倍", ["三倍", "双倍"]),
        ("(被)?冻结", ["被冻结", "冻结"]),
        ("(a|b)*c", ["(a|b)*c"]),  # a repeated group is left as written
        ("[^x]y", ["[^x]y"]),
    ],
)
def test_terms_are_rewritten_without_changing_their_meaning(term, branches):
    assert distribute(term) == branches
