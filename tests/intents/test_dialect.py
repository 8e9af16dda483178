"""Villagers as they really write: Putian/Minnan-flavoured Mandarin, sound typos, speech transcripts,
questions asked for someone else, quoted messages, long stories and fragments (faq/dialect.yaml)."""

from __future__ import annotations

import json

import pytest

from bot.services import build_matcher
from bot.settings import PROJECT_ROOT, load_settings
from intents.calibration import Noise
from intents.dialect import Dialect, parse
from intents.faq import load_faq
from intents.normalise import Normaliser

FIELD = PROJECT_ROOT / "benchmarks" / "field_questions.jsonl"


@pytest.fixture(scope="module")
def faq():
    return load_faq(load_settings().faq.dir)


@pytest.fixture(scope="module")
def matcher(faq):
    s = load_settings()
    return build_matcher(faq, s)


@pytest.fixture(scope="module")
def dialect(faq):
    return Dialect(faq.dialect)


def test_dialect_words_are_read_back_into_mandarin_and_plain_mandarin_stays(dialect):
    assert dialect("阮乎人骗去两万块 钱拢转出去了 按怎才追会转来") == "我被人骗去两万块 钱都转出去了 怎么才追会转来"
    assert dialect("厝边毋通食") == "邻居不要吃"
    # a dialect character inside a Mandarin word is left alone
    assert dialect("食品安全 伊拉克 几乎 在乎") == "食品安全 伊拉克 几乎 在乎"


def test_clothes_and_knowing_someone_are_read_as_mandarin_says_them(dialect):
    # 衫 (衣服) and 熟似/熟识 (认识): the MOE sources in faq/dialect.yaml; 衬衫 keeps its 衫
    assert dialect("伊卖的衫 阮熟似伊") == "他卖的衣服 我认识他"
    assert dialect("网上熟识一个人") == "网上认识一个人"
    assert dialect("买了一件衬衫") == "买了一件衬衫"


def test_a_dialect_question_lands_on_its_intent(matcher):
    match = matcher.match("阮阿母乎骗子骗了钱 现在要按怎")
    assert match.intent == "fraud.already_scammed", match.candidates


def test_an_accent_table_folds_syllables_as_the_accent_says_them():
    tables, _ = parse({"accent": {"initials": {"sh": "s", "f": "h"}, "finals": {"ing": "in"}}})
    accent = Dialect(tables)
    assert accent.fold("shen") == accent.fold("sen") and accent.fold("ming") == accent.fold("min")
    assert accent.fold("fu") == "hu" and accent.fold("zhang") == "zhang"


def test_a_fujianese_sound_typo_lands_on_the_word_it_means(matcher):
    assert matcher.match("森份证掉了要去哪里补办").intent == "service.id_card_lost"
    assert matcher.match("我们村的明警电话多少").intent == "service.contact_officer"


def test_numbers_read_out_become_the_number(matcher, dialect):
    assert dialect("九六一一零是什么电话") == "96110是什么电话"
    assert dialect("五万块 两三百") == "五万块 两三百"  # amounts are no phone numbers
    assert matcher.match("九六一一零打来的电话是真的吗").intent == "fraud.report_suspicious"


def test_a_question_asked_for_someone_else_is_the_question(dialect, matcher):
    assert dialect("帮我爸问一下 他被骗了一万块 钱能要回来吗") == "他被骗了一万块 钱能要回来吗"
    assert dialect(Normaliser()("My mother asks: is this loan app a scam?")) == "is this loan app a scam"
    assert dialect("我妈") == "我妈"  # nothing left to ask: nothing taken off
    assert matcher.match("我奶奶让我问 别人问她要验证码能不能给").intent == "fraud.verification_code"


def test_a_quoted_message_then_a_question(matcher):
    text = "他发来：我是市公安局刑侦支队的，你名下账户涉嫌洗钱，请配合调查。这是真的吗"
    assert matcher.match(text).intent == "fraud.impersonate_police"


def test_a_long_story_is_read_by_the_sentences_that_ask(matcher):
    story = (
        "我妈前段时间去听了几次保健品的讲座 买了不少东西 我也说过她了 "
        "今天她又接到一个电话 说她的医保卡被冻结了 要她转钱解冻 这是骗子吗"
    )
    whole = matcher.decide(matcher.evidence(matcher.query(story)))
    assert whole.intent == "fraud.elderly_products"  # the story's start pulls the whole message away
    assert matcher.match(story).intent == "fraud.insurance_card"


def test_a_speech_transcript_without_punctuation(matcher):
    said = "喂你好我想问一下就是刚才有个人打电话说他是公安局的说我银行卡涉嫌洗钱要我配合调查这个是真的假的"
    assert matcher.match(said).intent == "fraud.impersonate_police"


@pytest.mark.parametrize(
    ("fragment", "intent"),
    [
        ("验证码给人了", "fraud.verification_code"),
        ("身份证丢了", "service.id_card_lost"),
        ("网赌", "fraud.online_gambling"),
    ],
)
def test_a_fragment_of_a_few_characters(matcher, fragment, intent):
    assert matcher.match(fragment).intent == intent


def test_out_of_scope_dialect_still_falls_back(matcher):
    assert matcher.match("今仔日会落雨无").fallback
    assert matcher.match("阮的猪仔毋食饲料 按怎办").fallback


def test_calibration_also_learns_from_noisy_variants(dialect):
    noise = Noise(dialect, ["我的身份证丢了怎么办", "邻居家里进贼了"])
    variants = noise.variants("我的身份证丢了 怎么办", seed=1)
    assert "我的身份证丢了怎么办" in variants  # run together, as a speech recogniser writes
    assert any("阮" in v and "按怎" in v for v in variants)  # put back into dialect
    assert noise.variants("我的身份证丢了 怎么办", seed=1) == variants  # the same every run


def test_a_bad_dialect_table_is_reported():
    tables, problems = parse({"words": {"厝边": "邻居"}, "framing": ["(unclosed"]})
    assert tables is None
    assert any("'厝边' is not one character" in p for p in problems)
    assert any("dialect.framing" in p for p in problems)


def test_the_field_set_is_our_own_and_never_copied_into_the_faq(faq):
    rows = [json.loads(line) for line in FIELD.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 300
    assert {r["part"] for r in rows} == {"before", "after", "fresh", "blind4", "blind5", "blind6"}
    for blind in ("blind4", "blind5"):  # each blind part is new wording only
        others = {r["text"] for r in rows if r["part"] != blind}
        assert not [r["text"] for r in rows if r["part"] == blind and r["text"] in others]
    assert all(r["intent"] is None or r["intent"] in faq.intents for r in rows)
    normalise = Normaliser(faq.typos)
    shipped = {normalise(e) for i in faq.intents.values() for e in (*i.examples, *i.evidence)}
    shipped |= {normalise(q) for q in faq.out_of_scope}
    for row in rows:
        text = normalise(row["text"])
        assert len(text) < 8 or text not in shipped, text


def test_a_keyword_typed_with_a_same_sounding_character_is_still_found():
    from intents import pinyin
    from intents.strategies import IntentIndex, Keywords

    keywords = Keywords(
        IntentIndex(["fraud.insurance_card", "service.hukou_transfer"]),
        {"fraud.insurance_card": ["医保卡"], "service.hukou_transfer": ["迁户口"]},
        sound=pinyin.sound,
    )
    assert keywords.found("我的医报卡被冻结了") == {"医保卡"}
    # the first character must be as written: 十几年前户口 does not say 迁户口
    assert keywords.found("十几年前户口被注销了") == set()
    # two characters are too short to trust by sound (过期 and 过气 sound alike)
    short = Keywords(IntentIndex(["fraud.x"]), {"fraud.x": ["过期"]}, sound=pinyin.sound)
    assert short.found("这个歌手早就过气了") == set()
