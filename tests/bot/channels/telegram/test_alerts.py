"""Alerts through Telegram: /alert with its preview and buttons, delivery at Telegram's pace with
its limits enforced by the fake, a restart mid-delivery, 429, 403 and 5xx, and the command line."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.core.alerts_delivery import AlertEngine
from bot.services import Knowledge
from bot.settings import DatabaseSettings
from bot.store import alerts, roster
from bot.store.demo import load_demo
from bot.store.models_outreach import Alert, AlertDelivery
from tests.bot.core.alert_helpers import add_villagers
from tests.fakes import FakeBotApi, FakeUser

from .conftest import ADMIN, Bot, bot_settings, running

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


@pytest.fixture
async def limited(
    database: DatabaseSettings, factory: sessionmaker[Session], knowledge: Knowledge, ptb_timedelta: None
) -> AsyncIterator[Bot]:
    """The bot against a fake that answers 429 like Telegram: 30 messages a second, one per chat."""
    assert load_demo(factory)
    async with FakeBotApi(enforce_limits=True) as api:
        settings = bot_settings(database, api, CUNJING_TELEGRAM__PER_CHAT_INTERVAL="1.0")
        async with running(api, settings, factory, knowledge, desks=False) as harness:
            yield harness


def villagers(bot: Bot, first: int, count: int, lang: str = "zh") -> list[FakeUser]:
    """Villagers of QS001, known to the fake and registered in the database."""
    add_villagers(bot.db, "QS001", range(first, first + count), lang=lang)
    return [bot.villager(uid, f"村民{uid}", lang) for uid in range(first, first + count)]


def queue_alert(bot: Bot, text: str = "近期有人冒充公安，要求转账到安全账户", progress_chat: int | None = 1001) -> int:
    """A confirmed alert to QS001, as `cunjing alert` or a Confirm button stores it."""
    with bot.db.begin() as session:
        village = roster.village_by_code(session, "QS001")
        assert village is not None
        made = alerts.create(
            session,
            scope="QS001",
            text_zh=text,
            text_en="",
            photo=None,
            created_by=1001,
            progress_chat_id=progress_chat,
        )
        alerts.confirm(session, made.id, [village.id])
        return made.id


def status(bot: Bot, number: int) -> str:
    with bot.db() as session:
        found = session.get(Alert, number)
        assert found is not None
        return found.status


def delivery_of(bot: Bot, chat_id: int) -> AlertDelivery:
    with bot.db() as session:
        return session.query(AlertDelivery).filter_by(chat_id=chat_id).one()


def engine(bot: Bot) -> AlertEngine:
    assert bot.app is not None
    found: AlertEngine = bot.app.bot_data["alerts"]
    return found


async def test_preview_confirm_progress_and_final_count(bot: Bot) -> None:
    people = villagers(bot, 5001, 2) + villagers(bot, 5003, 1, lang="en")
    officer = bot.officer(1001)
    preview = await officer.send("/alert QS001 有人冒充公安要求转账 | Fake police ask for money")
    zh = bot.say("alert.villager", text="有人冒充公安要求转账")
    en = bot.say("alert.villager", "en", text="Fake police ask for money")
    assert preview.texts == [
        bot.say("alert.preview", number=1, scope="青山村 (QS001)", count=3, zh=2, en=1),
        zh,
        en,
        bot.say("alert.confirm_prompt", number=1, count=3),
    ]
    assert people[0].replies == []
    pressed = await officer.press(bot.say("button.alert_confirm"))
    # the confirmation first; the progress message may already follow it (the alerts job runs every second)
    assert pressed.texts[0] == bot.say("alert.confirmed", number=1, count=3)

    await bot.until(lambda: status(bot, 1) == "done", what="the alert is sent")
    assert [p.replies for p in people] == [[zh], [zh], [en]]
    final = await bot.until(lambda: next((t for t in officer.replies if t.startswith("✅ 预警 #1")), None))
    assert "3 人收到" in final
    progress = [m for m in officer.messages if (m.text or "").startswith("预警 #1 · 青山村 (QS001)")]
    assert len(progress) == 1  # one message, edited to the end (at most one edit every 3 s)
    await bot.until(lambda: "已发完" in (progress[0].text or ""), timeout=6, what="the last edit")


async def test_a_photo_alert_and_opting_out(bot: Bot) -> None:
    people = villagers(bot, 5001, 3)
    assert (await people[2].send("/alerts off")).texts == [bot.say("alert.opted_out")]
    officer = bot.officer(1001)
    preview = await officer.send_photo(caption="/alert QS001 这种短信是诈骗，别点链接")
    assert preview.texts[0] == bot.say("alert.preview", number=1, scope="青山村 (QS001)", count=2, zh=2, en=0)
    photo = preview.replies[1].photo
    assert photo is not None
    await officer.press(bot.say("button.alert_confirm"))
    await bot.until(lambda: status(bot, 1) == "done")
    got = [p.messages[-1] for p in people[:2]]
    assert [m.photo for m in got] == [photo, photo] and got[0].text == bot.say(
        "alert.villager", text="这种短信是诈骗，别点链接"
    )
    assert people[2].replies == [bot.say("alert.opted_out")]


async def test_an_officer_cannot_alert_another_village_through_telegram(bot: Bot) -> None:
    officer = bot.officer(1001)
    done = await officer.send("/alert BS001 注意")
    assert done.texts == [bot.say("alert.not_your_village", scope="BS001", villages="QS001 青山村, QS002 石桥村")]
    admin = bot.villager(ADMIN, "管理员")
    assert (await admin.send("/alert all 注意")).texts == [
        bot.say("alert.no_recipients", scope=bot.say("alert.scope_all"))
    ]


async def test_a_restart_mid_delivery_sends_each_villager_exactly_once_within_the_limits(limited: Bot) -> None:
    bot = limited
    people = villagers(bot, 7000, 45)
    number = queue_alert(bot)
    await bot.until(lambda: sum(len(p.messages) for p in people) >= 12, what="a dozen sent")
    await bot.restart()  # mid-delivery: the sends under way are recorded, the rest resumed
    assert sum(len(p.messages) for p in people) < 45
    await bot.until(lambda: status(bot, number) == "done", timeout=15, what="the alert is sent")
    assert [len(p.messages) for p in people] == [1] * 45  # counted at the fake Telegram
    assert bot.api.count_429 == 0 and bot.api.limit_hits == []
    officer = bot.officer(1001)
    await bot.until(lambda: any(t.startswith("✅ 预警 #1") for t in officer.replies))
    assert len([m for m in officer.messages if (m.text or "").startswith("预警 #1")]) == 1  # the same one, edited
    sends = sorted(m.sent_at for p in people for m in p.messages)
    assert all(b - a >= 1.0 for a, b in zip(sends, sends[30:], strict=False))  # never 31 within a second


async def test_one_chats_flood_wait_is_honoured_and_the_alert_goes_on_meanwhile(limited: Bot) -> None:
    bot = limited
    people = villagers(bot, 7100, 12)
    flooded = people[5]
    bot.api.fail_next("sendMessage", retry_after=1, chat_id=flooded.id)
    number = queue_alert(bot, progress_chat=None)
    await bot.until(lambda: status(bot, number) == "done", timeout=10)
    calls = [c for c in bot.api.calls_to("sendMessage") if c.chat_id == flooded.id]
    assert [c.status for c in calls] == [429, 200] and calls[1].at - calls[0].at >= 1.0
    others = {p.id for p in people} - {flooded.id}
    sent = [c for c in bot.api.calls_to("sendMessage") if c.ok and c.chat_id in others]
    # its chat's limit: the alert's other villagers, those after it too, went out within its wait
    assert any(c.at > calls[0].at for c in sent) and all(c.at < calls[0].at + 1.0 for c in sent)
    assert [len(p.messages) for p in people] == [1] * 12


async def test_several_chats_limited_at_once_hold_the_whole_bot(limited: Bot) -> None:
    bot = limited
    people = villagers(bot, 7150, 12)
    for flooded in people[2:5]:  # Telegram's overall limit: every chat sent to meets it
        bot.api.fail_next("sendMessage", retry_after=1, chat_id=flooded.id)
    number = queue_alert(bot, progress_chat=None)
    await bot.until(lambda: status(bot, number) == "done", timeout=15)
    third = [c for c in bot.api.calls_to("sendMessage") if c.status == 429][2]
    during = [c for c in bot.api.calls_to("sendMessage") if c.ok and third.at < c.at < third.at + 1.0]
    assert during == []  # the flood wait holds for the whole bot
    assert [len(p.messages) for p in people] == [1] * 12


async def test_a_blocked_villager_is_marked_and_skipped(limited: Bot) -> None:
    bot = limited
    people = villagers(bot, 7200, 5)
    gone = people[1]
    bot.api.block(gone.id)
    number = queue_alert(bot)
    await bot.until(lambda: status(bot, number) == "done", timeout=10)
    assert [c.status for c in bot.api.calls_to("sendMessage") if c.chat_id == gone.id] == [403]
    assert delivery_of(bot, gone.id).status == "blocked" and bot.citizen(gone.id).blocked
    assert [len(p.messages) for p in people] == [1, 0, 1, 1, 1]
    officer = bot.officer(1001)
    final = await bot.until(lambda: next((t for t in officer.replies if t.startswith("✅ 预警 #1")), None))
    assert "4 人收到" in final and "1 人已屏蔽" in final


async def test_server_errors_are_retried(limited: Bot) -> None:
    bot = limited
    engine(bot).retry_base = 0.1
    people = villagers(bot, 7300, 4)
    bot.api.fail_next("sendMessage", status=502, chat_id=people[2].id)
    number = queue_alert(bot, progress_chat=None)
    await bot.until(lambda: status(bot, number) == "done", timeout=10)
    assert [c.status for c in bot.api.calls_to("sendMessage") if c.chat_id == people[2].id] == [502, 200]
    assert [len(p.messages) for p in people] == [1] * 4
    assert delivery_of(bot, people[2].id).attempts == 2


async def test_the_command_line_stores_the_job_and_follows_the_bot_delivering_it(bot: Bot) -> None:
    people = villagers(bot, 5001, 3)
    env = {
        **os.environ,
        "CUNJING_DATABASE__URL": bot.settings.database.effective_url,
        "CUNJING_TELEGRAM__ADMINS": f"[{ADMIN}]",
        "PYTHONPATH": ROOT,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "alert",
        "QS001",
        "--text",
        "注意：冒充客服退款的电话都是诈骗",
        "--yes",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    text = out.decode()
    assert process.returncode == 0, text
    assert "Alert to 青山村 (QS001): 3 recipients (3 Chinese, 0 English)" in text
    assert "Alert #1 stored: 3 recipients" in text and "100%] 3/3 · sent 3" in text
    assert text.rstrip().endswith("Alert #1 is done.")
    assert [p.replies for p in people] == [[bot.say("alert.villager", text="注意：冒充客服退款的电话都是诈骗")]] * 3
    with bot.db() as session:
        found = session.get(Alert, 1)
        assert found is not None and (found.created_by, found.progress_chat_id) == (ADMIN, None)
