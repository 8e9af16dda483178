"""The FAQ's content: short first, true and safe (issues 14 and 16), and the station's own facts."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from intents.faq import LANGS, MAX_FIRST, MAX_FLAGS, MAX_LEAD, fill_station, load_faq, parse_faq

FAQ = PROJECT_ROOT / "faq"


@pytest.fixture(scope="module")
def faq():
    return load_faq(FAQ)


def shown(faq, lang: str) -> str:
    """Every text of every intent a villager can read or hear, and the posters and warnings."""
    texts = [f"{i.first(lang)}\n{i.answer.get(lang)}\n{i.speech.get(lang)}" for i in faq.intents.values()]
    texts += [m.get(lang) for m in faq.messages.values()]
    return "\n".join(texts)


def test_every_first_message_fits_one_screen_in_both_languages(faq):
    assert len(faq.intents) == 44
    for intent in faq.intents.values():
        for lang in LANGS:
            assert 0 < len(intent.lead.get(lang)) <= MAX_LEAD, (intent.id, lang)
            assert len(intent.first(lang)) <= MAX_FIRST, (intent.id, lang, len(intent.first(lang)))
            assert len(intent.flags.get(lang)) <= MAX_FLAGS, intent.id


def test_a_fraud_first_message_says_what_to_do_and_names_a_red_flag(faq):
    for intent in faq.by_kind("fraud"):
        assert intent.flags.zh and intent.flags.en, intent.id
        # hang up, don't, call 110; for the app: install it
        assert re.search(r"挂断|别|不|马上|110|装", intent.lead.zh), intent.id


def test_no_answer_tells_villagers_to_use_telegram(faq):
    for lang in LANGS:
        texts = "\n".join(
            [shown(faq, lang)] + [m.get(lang) for k, m in faq.messages.items() if k.startswith("poster.")]
        )
        assert "Telegram" not in texts.replace("Telegram 机器人", "").replace("Telegram bot", "")  # the console note
        assert "纸飞机" not in texts


def test_one_rule_for_the_scam_app_everywhere(faq):
    """Keep it as evidence when money is gone, uninstall it when not: never a bare "uninstall"."""
    for intent in faq.intents.values():
        for line in intent.answer.zh.splitlines() + [intent.speech.zh, intent.lead.zh]:
            if "卸载" in line and "别卸载" not in line and "不要卸载" not in line:
                assert "钱没被转走" in line or "没被骗钱" in line, (intent.id, line)
        for line in intent.answer.en.splitlines() + [intent.speech.en, intent.lead.en]:
            if re.search(r"\buninstall", line, re.I):
                assert re.search(r"if not|keep the app|keep their app", line), (intent.id, line)


def test_the_review_facts_are_there(faq):
    police = faq["fraud.impersonate_police"].answer.zh
    assert "不会在网上发通缉令" not in police and "通缉令" in police
    assert "银保监部门" not in shown(faq, "zh") and "国家金融监督管理总局" in faq["fraud.fake_credit_repair"].answer.zh
    assert "人民银行分支机构" not in shown(faq, "zh") and "免费查两次" in faq["fraud.fake_credit_repair"].answer.zh
    assert "20元" in faq["service.id_card_apply"].answer.zh and "40元" in faq["service.id_card_lost"].answer.zh
    assert "10元" in faq["service.id_card_lost"].answer.zh and "12306" in faq["service.id_card_lost"].answer.zh
    assert "免费" in faq["service.certificate_no_crime"].answer.zh
    assert "免费" in faq["service.residence_permit"].answer.zh
    report = faq["fraud.report_suspicious"].answer
    assert "12381" in report.zh and "0594-96110" in report.zh and "12381" in report.en
    assert "12345" in faq["fraud.insurance_card"].answer.zh and "95022" in faq["fraud.etc_card"].answer.zh
    assert "个人所得税" in faq["fraud.fake_subsidy"].answer.zh and "95598" in faq["service.safety_hazard"].answer.zh
    assert "风险查询" in faq["fraud.antifraud_app"].answer.zh and "一证通查" in faq["fraud.antifraud_app"].answer.zh
    assert "三不一多" in faq["fraud.general_tips"].answer.zh and "不听、不信" not in shown(faq, "zh")
    assert "挥一挥" not in faq["fraud.ai_deepfake"].answer.zh


def test_the_impersonation_answers_say_nin(faq):
    for intent in faq.intents.values():
        if intent.source.endswith("fraud_impersonation.yaml"):
            assert not re.search(r"你(?!们)", intent.answer.zh + intent.speech.zh + intent.lead.zh), intent.id


def test_a_station_fact_is_filled_or_its_line_left_out():
    text = "· 村里的公示牌上有民警电话。\n· 派出所电话：{station_phone}\n· 紧急打110。"
    assert fill_station(text, {"station_phone": "0594-0000000"}).splitlines()[1] == "· 派出所电话：0594-0000000"
    assert fill_station(text, {"station_phone": ""}) == "· 村里的公示牌上有民警电话。\n· 紧急打110。"


def test_the_shipped_faq_shows_no_placeholder_without_the_setting(faq):
    unset = load_faq(FAQ, {"station_phone": "", "station_online": ""})
    assert "{station_" in faq["service.contact_officer"].answer.zh  # as written
    for intent in unset.intents.values():
        assert "{station_" not in intent.answer.zh + intent.answer.en, intent.id
    filled = load_faq(FAQ, {"station_phone": "0594-1234567", "station_online": "闽政通App"})
    assert "派出所电话：0594-1234567" in filled["service.contact_officer"].answer.zh
    assert "闽政通App" in filled["service.certificate_no_crime"].answer.zh


def copy_with(tmp_path: Path, old: str, new: str) -> Path:
    target = tmp_path / "faq"
    shutil.copytree(FAQ, target)
    path = target / "chat.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def test_a_long_lead_an_unknown_station_fact_and_a_missing_lead_are_reported(tmp_path):
    long = copy_with(tmp_path / "a", '    lead:\n      zh: "', '    lead:\n      zh: "' + "很长" * 60)
    assert any("zh lead longer than 120" in str(p) for p in parse_faq(long)[1])
    answer = "    answer:\n      zh: |\n"
    unknown = copy_with(tmp_path / "b", answer, answer + "        电话 {station_fax}\n")
    assert any("unknown {station_fax}" in str(p) for p in parse_faq(unknown)[1])
    missing = copy_with(tmp_path / "c", "    lead:\n", "    leed:\n")
    assert any("lead: expected zh and en texts" in str(p) for p in parse_faq(missing)[1])
