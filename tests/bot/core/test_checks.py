"""Is this a scam? A forwarded message or /check gets a verdict, reasons and advice."""

from __future__ import annotations

from sqlalchemy import select

from bot.store.models_outreach import AskedQuestion, ScamCheck

SCAM = "【公安局】您涉嫌一起洗钱案件，请立即将名下存款转入安全账户配合调查，不要告诉家人，否则将被冻结。"
SAFE = "【中国农业银行】您尾号1234账户11月20日10:03完成转账支出交易人民币200.00，余额3,210.50。"


def texts(replies):
    return [r.text for r in replies]


def test_a_forwarded_scam_gets_a_short_verdict_and_more_gives_the_reasons_and_the_advice(world):
    villager = world.person(7)
    villager.send("/start QS001")
    (verdict,) = villager.send(SCAM, forwarded=True)
    police = world.faq["fraud.impersonate_police"]
    assert verdict.text.startswith("🚨") and verdict.text.endswith(police.lead.zh)  # the verdict, what to do now
    assert len(verdict.text) <= 150 and world.faq.message("check.reasons", "zh") not in verdict.text
    more, report = (world.faq.message(k, "zh") for k in ("button.more", "button.report"))
    assert [b.label for row in verdict.buttons for b in row] == [more, report]
    (why,) = villager.press(more)
    assert why.text.startswith(world.faq.message("check.reasons", "zh")) and "安全账户" in why.text
    assert police.answer.zh in why.text
    assert [b.label for row in why.buttons for b in row] == [report]  # still reportable after reading


def test_reporting_opens_a_request_with_the_message_for_the_officer(world):
    villager = world.person(7)
    villager.send("/start QS001")
    villager.send(SCAM, forwarded=True)
    villager.press(world.faq.message("button.report", "zh"))
    assert villager.last.text == world.faq.message("request.ask_phone", "zh")
    villager.send("13912345678")
    assert "#1" in villager.last.text
    (card,) = world.person(1001).inbox
    assert "安全账户" in card.text and world.faq["fraud.report_suspicious"].title.zh in card.text


def test_a_legitimate_bank_notice_is_safe_and_offers_no_report(world):
    villager = world.person(7)
    replies = villager.send(f"/check {SAFE}")
    assert replies[0].text.startswith("✅") and len(replies) == 1


def test_check_as_a_reply_checks_the_replied_message(world):
    villager = world.person(7)
    replies = villager.send("/check", reply_to=55, reply_to_text=SCAM)
    assert replies[0].text.startswith("🚨")


def test_check_without_text_says_how(world):
    villager = world.person(7)
    villager.send("/check")
    assert world.faq.message("check.usage", "zh") in villager.last.text


def test_checks_and_questions_are_recorded_for_the_report(world, factory):
    villager = world.person(7)
    villager.send(f"/check {SCAM}")
    villager.send("明天县城的菜市场猪肉多少钱一斤 我电话13812345678")
    with factory() as session:
        (check,) = session.scalars(select(ScamCheck)).all()
        (question,) = session.scalars(select(AskedQuestion)).all()
    assert check.verdict == "scam" and check.type == "fraud.impersonate_police"
    assert question.fallback and "13812345678" not in question.text and "猪肉" in question.text


def test_numbers_written_with_a_prefix_or_spaces_are_stored_masked(world, factory):
    villager = world.person(7)
    villager.send(f"/check {SCAM} 回电 +86 138 1234 5678")
    villager.send("猪肉多少钱一斤 我电话 138-1234-5678 身份证 110101 19900101 123X")
    with factory() as session:
        (check,) = session.scalars(select(ScamCheck)).all()
        (question,) = session.scalars(select(AskedQuestion)).all()
    assert check.text.endswith("回电 +86 138 **** 5678")
    assert question.text == "猪肉多少钱一斤 我电话 138-****-5678 身份证 110101 ******** 123X"
