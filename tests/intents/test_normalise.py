from intents.normalise import Normaliser

normalise = Normaliser({"身分证": "身份证", "炸骗": "诈骗", "帐户": "账户"})


def test_full_width_becomes_half_width_and_lower_case():
    assert normalise("ＥＴＣ　认证１２３") == "etc 认证123"


def test_traditional_becomes_simplified():
    assert normalise("學校門口的紅綠燈壞了") == "学校门口的红绿灯坏了"


def test_homophone_typos_are_fixed_after_simplification():
    assert normalise("身分證丟了") == "身份证丢了"
    assert normalise("这是炸骗吗") == "这是诈骗吗"


def test_punctuation_emoji_and_whitespace_collapse():
    assert normalise("  你好！！😀😀 请问……帐户  被冻结了？ ") == "你好 请问 账户 被冻结了"


def test_junk_is_safe():
    assert normalise("") == ""
    assert normalise("\ud800\x00\x01💥") == ""
