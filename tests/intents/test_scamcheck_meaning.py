"""The scam checker with the sentence encoder's head (intents/scam_meaning.py), and the kinds of group
scam post the blind4 and blind5 parts first missed (faq/scam_rules.yaml): donations to a person, fees
to a person, gifts for the elderly at a health talk, an .apk to install."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from bot.services import Knowledge
from bot.settings import load_settings
from intents.scam_meaning import MeaningHead
from intents.scamcheck import ScamChecker
from tests.intents.conftest import answered


def test_the_shipped_model_has_a_head_for_the_encoder_the_bot_runs(checker):
    assert checker.encoder is not None and checker.model is not None and checker.model.meaning is not None
    assert checker.model.meaning.encoder == checker.encoder.name
    assert len(checker.model.meaning.combine) == 4 and checker.model.meaning.weights.shape == (384,)


def test_the_head_survives_its_file(checker):
    head = checker.model.meaning
    again = MeaningHead.from_json(head.as_json())
    assert again.encoder == head.encoder and again.combine == head.combine
    assert np.allclose(again.weights, head.weights, atol=1e-6)


def test_a_head_written_for_another_encoder_is_not_used(checker):
    other = ScamChecker(checker.rules, None, checker.model, encoder=_Named("some-other-encoder"))
    assert other.encoder is None  # its vectors would mean nothing to this head
    assert other.check("先把钱放到我们指定的卡上").risk == ScamChecker(checker.rules, None, checker.model).check(
        "先把钱放到我们指定的卡上").risk


def test_a_scam_told_without_its_trigger_words_is_read_for_its_meaning(checker):
    """No safe account, no link, no code: money moved "for checking" and promised back."""
    text = "你这笔钱有问题，先挪到我们这边的户头上放几天，等调查清楚了原数退给你，这事别跟家里人讲"
    without = ScamChecker(checker.rules, None, checker.model)
    assert checker.meaning(checker.prepare(text)) is not None
    assert checker.check(text).risk > without.check(text).risk
    assert checker.check(text).scam


def test_the_checker_crosses_to_the_core_process_with_its_encoder(checker):
    """The channel gives the core its checker (bot/core/core_process.py): the encoder is not copied,
    the other process loads its own."""
    copy = pickle.loads(pickle.dumps(checker))
    assert copy.encoder is not None and copy.encoder.name == checker.encoder.name
    text = "🎁免费领鸡蛋🎁 60岁以上老人明早来村活动室听养生课，每人两板鸡蛋，名额有限"
    assert copy.check(text) == checker.check(text)


@pytest.mark.parametrize("text", [
    # a collection for a sick child or a fire paid into a person's account or QR code
    "求助！东峤镇一个小男孩车祸重伤，ICU每天一万多，家里实在没办法了，好心人可以扫我的收款码，一块两块都是爱心",
    "火灾无情人有情，替受灾的阿伯一家募捐，钱直接转我个人支付宝，我代收统一交给他家",
    # fees in a school's or a traffic police's name paid by QR code or to a person
    "三年二班家长请注意：下学期练习册费和校服费合计415元，请今天扫班主任收款码缴纳，截图发群",
    "【交警通知】您的车辆有一条违章未处理，罚款200元请扫码缴纳，逾期将扣分吊销",
    # free eggs or oil for the elderly at a health talk
    "好消息！周六上午镇文化站养生讲座，60岁以上老人免费领食用油一桶，听完还送鸡蛋，先到先得",
    # an app to install from a file
    "老同学聚会相册在这里，大家下载看看【同学聚会相册.apk】",
])
def test_the_group_scam_kinds_blind4_and_blind5_missed_are_answered(checker, text):
    assert answered(checker, text), (checker.check(text), text)


@pytest.mark.parametrize("text", [
    # the same words, ordinary: a collection with receipts at the village hall, fees through the school's platform
    "村里为东头阿伯家火灾募捐，捐款请到村委会财务室，当场开收据，名单贴在公告栏",
    "学校通知：下学期书本费统一在“闽政通”缴费平台缴纳，老师不会私下收钱，请家长注意",
    "我妈去听了那个送鸡蛋的养生讲座，回来就说要买床垫，被我拦下了，大家家里老人也注意一下",
    "请柬我用微信小程序发给大家了，点开就能看，不用下载什么东西",
    # a villager who shut a scam page in time, a thought about AI faces
    "之前群里那个领补贴的链接我点开要填银行卡，吓得我赶紧关了，还好没填",
    "现在AI换脸连声音都能学，以后视频里借钱的也不能全信",
])
def test_a_villagers_line_with_the_same_words_is_not_answered(checker, text):
    assert not answered(checker, text), (checker.check(text), text)


def test_a_scam_the_rules_cannot_name_is_named_after_the_matchers_fraud_type():
    """Knowledge.check: the checker's verdict, its type from the matcher when the rules name none."""
    knowledge = Knowledge.load(load_settings())
    text = "老同学，我现在在外地开会不方便接电话，能不能先帮我给这个账号打八千，晚上就还你"
    plain = knowledge.checker.check(text)
    assert plain.scam and plain.type is None  # the rules see a scam and cannot say which
    told = knowledge.check(text)
    assert (told.verdict, told.risk, told.reasons) == (plain.verdict, plain.risk, plain.reasons)
    assert told.type == "fraud.impersonate_acquaintance"


def test_a_scam_the_rules_name_keeps_their_type():
    knowledge = Knowledge.load(load_settings())
    text = "恭喜您被选为幸运用户，需要先交一点手续费才能领取奖品"
    assert knowledge.check(text).type == knowledge.checker.check(text).type == "fraud.prize_lottery"


class _Named:
    def __init__(self, name: str) -> None:
        self.name = name

    def encode(self, texts, keep=False):
        raise AssertionError("a head for another encoder must never be asked")
