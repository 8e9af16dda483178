"""Is this a scam? in Telegram: a forwarded message (any origin), /check TEXT, or /check as a reply."""

from __future__ import annotations

import pytest

from .conftest import Bot

SCAM = "【公安局】您涉嫌一起洗钱案件，请立即将名下存款转入安全账户配合调查，不要告诉家人，否则将被冻结。"
SAFE = "【中国农业银行】您尾号1234账户11月20日10:03完成转账支出交易人民币200.00，余额3,210.50。"


@pytest.mark.parametrize("origin", ["user", "hidden", "channel", "chat"])
async def test_a_forwarded_scam_from_any_origin_gets_the_verdict_and_the_report_button(bot: Bot, origin: str) -> None:
    villager = await bot.registered(5801)
    sources = {
        "user": bot.villager(5899, "陌生人"),
        "hidden": "王先生",
        "channel": bot.api.group(-100777, "某频道", type="channel"),
        "chat": bot.api.group(-100778, "某群"),
    }
    done = await villager.forward(SCAM, origin=sources[origin])
    assert done.texts[0].startswith("🚨")
    assert bot.faq["fraud.impersonate_police"].lead.zh in done.texts[0]  # what to do now, in one message
    assert done.replies[-1].buttons == [[bot.say("button.more"), bot.say("button.report")]]


async def test_reporting_a_checked_message_reaches_the_officer_with_the_text(bot: Bot) -> None:
    villager, officer = await bot.registered(5802), bot.officer(1001)
    await villager.forward(SCAM, origin="王先生")
    await villager.press(bot.say("button.report"))
    assert villager.replies[-1] == bot.say("request.ask_phone")
    await villager.send("13912345678")
    assert "#1" in villager.replies[-1]
    (card,) = await bot.cards_for(officer, 1)
    assert "安全账户" in (card.text or "") and bot.faq["fraud.report_suspicious"].title.zh in (card.text or "")
    assert bot.request(1).kind == "fraud.report_suspicious"


async def test_check_with_text_and_as_a_reply(bot: Bot) -> None:
    villager = await bot.registered(5803)
    safe = await villager.send(f"/check {SAFE}")
    assert safe.texts[0].startswith("✅") and len(safe.texts) == 1
    said = await villager.send(SCAM)  # an ordinary message the villager then asks about
    await villager.reply_to(said, "/check")
    assert villager.replies[-1].startswith("🚨")  # the verdict and what to do, one message
