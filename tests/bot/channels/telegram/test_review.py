"""The review loop: an admin labels the questions the bot could not answer, one at a time, and the bot
answers them next time. Each choice is written to faq/reviewed.yaml (a copy of the FAQ per test),
with who and when; a choice that would make `faq validate` report a conflict is refused. A choice is
answered at once ("checking…"); the check takes seconds, off the turn, and its result follows as a
message of its own with the next question."""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import review
from bot.channels.telegram.runtime import Runtime
from bot.core import review as core_review
from bot.core.types import Incoming, Outcome
from bot.services import Knowledge
from bot.settings import PROJECT_ROOT, DatabaseSettings
from bot.store import usage
from bot.store.models_outreach import AskedQuestion
from intents.matcher import Match
from tests.fakes import FakeBotApi, FakeUser
from tests.fakes.bot_api import SentMessage

from .conftest import ADMIN, QINGSHAN, Bot, bot_settings, running

PARCEL = "收到个快递没买过东西 要我扫码付运费"  # falls back; its likeliest intent is fraud.fake_shopping


class Calibrations:
    """Stands in for `cunjing faq calibrate`, which takes tens of seconds on the whole FAQ: what the
    loop asked for is recorded, and the reload that follows a calibration still runs."""

    def __init__(self) -> None:
        self.asked: list[Path] = []

    def __call__(self, directory: Path, settings: Any) -> str:
        self.asked.append(directory)
        return "calibrated"


@pytest.fixture
def calibrations(monkeypatch: pytest.MonkeyPatch) -> Calibrations:
    work = Calibrations()
    monkeypatch.setattr(review, "CALIBRATOR", review.Calibrator(work))
    return work


@pytest.fixture(autouse=True)
def worker(monkeypatch: pytest.MonkeyPatch) -> core_review.Worker:
    """The thread that checks and adds the choices: this test's own."""
    fresh = core_review.Worker()
    monkeypatch.setattr(core_review, "WORKER", fresh)
    return fresh


@pytest.fixture
async def bot(
    database: DatabaseSettings, demo_db: sessionmaker[Session], ptb_timedelta: None, tmp_path: Path,
    calibrations: Calibrations,
) -> AsyncIterator[Bot]:
    """The bot of conftest.py on its own copy of the FAQ, which the review loop writes to."""
    faq = tmp_path / "faq"
    shutil.copytree(PROJECT_ROOT / "faq", faq)
    async with FakeBotApi() as api:
        api.settle_timeout = 60.0  # a choice checks the whole FAQ's examples: seconds, not milliseconds
        settings = bot_settings(database, api, CUNJING_FAQ__DIR=str(faq))
        async with running(api, settings, demo_db, Knowledge.load(settings)) as harness:
            yield harness


def reviewed(bot: Bot) -> list[dict[str, Any]]:
    data = yaml.safe_load((bot.settings.faq.dir / review.FILE).read_text(encoding="utf-8"))
    return list(data["reviewed"] or [])


def questions(bot: Bot) -> list[AskedQuestion]:
    with bot.db() as session:
        return list(session.scalars(select(AskedQuestion).order_by(AskedQuestion.id)))


def title(bot: Bot, intent_id: str) -> str:
    return bot.faq[intent_id].title.zh


async def choose(bot: Bot, admin: FakeUser, label: str) -> list[str]:
    """Press a choice: what the admin is told at once, then, once it is checked, the result and the
    next question (sent through the outbox)."""
    before = len(admin.messages)
    await admin.press(label)
    assert await asyncio.to_thread(core_review.WORKER.wait, 60)

    def told() -> list[SentMessage]:
        return admin.messages[before:] if len(admin.messages) >= before + 3 else []

    return [m.summary for m in await bot.until(told, what="the result and the next question")]


async def forge(bot: Bot, user: FakeUser, data: str) -> Any:
    """A button press with callback data no message of the bot carried."""
    query = {"id": f"forged-{data}", "from": user.user_dict, "chat_instance": "1", "data": data,
             "message": {"message_id": 1, "date": 0, "chat": user.chat_dict, "text": "?"}}
    bot.api._open_queries[query["id"]] = query
    return await bot.api.inject_update({"callback_query": query})


async def test_an_admin_reviews_a_fallback_question_and_the_bot_answers_it_next_time(
    bot: Bot, calibrations: Calibrations
) -> None:
    villager = await bot.registered(5701)
    asked = await villager.send(PARCEL)
    assert asked.texts[0].startswith(bot.say("fallback"))  # not sure: suggestions
    admin = bot.villager(ADMIN, "管理员")

    shown = await admin.send("/review")
    number = questions(bot)[0].id
    assert shown.texts == [bot.say("review.question", number=number, text=PARCEL, was=bot.say("review.was_fallback"))]
    assert shown.replies[0].buttons[0] == [title(bot, "fraud.fake_shopping")]
    assert shown.replies[0].buttons[-1] == [bot.say("button.review_oos"), bot.say("button.review_skip")]
    assert len(shown.replies[0].buttons) == 4  # three likely intents, then out of scope and skip

    chosen = await choose(bot, admin, title(bot, "fraud.fake_shopping"))
    added = bot.say("review.added", number=number, title=title(bot, "fraud.fake_shopping"))
    assert chosen == [bot.say("review.checking", number=number), added, bot.say("review.none")]  # once: none left
    [entry] = reviewed(bot)
    assert entry["intent"] == "fraud.fake_shopping" and entry["text"] == PARCEL
    assert entry["who"] == f"telegram:{ADMIN}" and entry["when"].startswith("20")
    row = questions(bot)[0]
    assert (row.review, row.reviewed_by) == ("fraud.fake_shopping", f"telegram:{ADMIN}")
    assert row.reviewed_at is not None
    assert review.CALIBRATOR.wait(30) and calibrations.asked == [bot.settings.faq.dir]

    again = await villager.send(PARCEL)
    assert again.texts[0] == bot.faq["fraud.fake_shopping"].first("zh")  # answered now
    assert (await admin.send("/review")).texts == [bot.say("review.none")]


async def test_a_masked_question_stays_masked_in_the_file(bot: Bot) -> None:
    villager = await bot.registered(5702)
    await villager.send("有人打13912345678叫我扫码付运费 我没买过东西")
    admin = bot.villager(ADMIN, "管理员")
    shown = await admin.send("/review")
    assert "13912345678" not in shown.texts[0]
    chosen = await choose(bot, admin, bot.say("button.review_oos"))
    assert chosen[1] == bot.say("review.added", number=1, title=bot.say("review.oos"))
    [entry] = reviewed(bot)
    assert entry["intent"] == "out_of_scope" and "13912345678" not in entry["text"]


async def test_a_conflicting_example_is_refused_with_the_reason_and_the_file_unchanged(
    bot: Bot, calibrations: Calibrations
) -> None:
    # a question recorded as unanswered, that the FAQ has since learnt by hand: as an example of
    # another intent, it would be answered by the intent that has it already
    example = bot.faq["fraud.impersonate_police"].examples[0]
    with bot.db.begin() as session:
        usage.record_question(session, None, example, Match(None, 0.3, ()))
    before = (bot.settings.faq.dir / review.FILE).read_text(encoding="utf-8")
    admin = bot.villager(ADMIN, "管理员")
    shown = await admin.send("/review")
    [police], [other] = shown.replies[0].buttons[:2]
    assert police == title(bot, "fraud.impersonate_police")

    refused = await choose(bot, admin, other)
    assert refused[0] == bot.say("review.checking", number=1)
    assert refused[1].startswith(bot.say("review.refused", reasons=""))
    assert "reviewed.yaml:5: " in refused[1] and "matches fraud.impersonate_police" in refused[1]
    assert (bot.settings.faq.dir / review.FILE).read_text(encoding="utf-8") == before
    assert questions(bot)[0].review is None
    assert refused[2].startswith(bot.say("review.question", number=1, text=example, was="")[:8])  # again
    assert calibrations.asked == []

    skipped = await admin.press(bot.say("button.review_skip"))
    assert skipped.texts == [bot.say("review.skipped", number=1), bot.say("review.none")]
    assert questions(bot)[0].review == "skip"


async def test_only_admins_review_and_forged_buttons_get_a_clear_answer(bot: Bot) -> None:
    villager = await bot.registered(5703)
    await villager.send(PARCEL)
    assert (await villager.send("/review")).texts == [bot.say("admin.only")]
    assert (await bot.officer(1001).send("/review")).texts == [bot.say("admin.only")]
    assert (await forge(bot, villager, "rv:1:oos")).texts == [bot.say("admin.only")]
    admin = bot.villager(ADMIN, "管理员")
    at_desk = await admin.send("/review", chat=bot.desk(QINGSHAN))
    assert at_desk.texts == [bot.say("group.private_only")]  # staff work, but personal words: privately
    for data in ("rv:99:oos", "rv:1:fraud.no_such_intent", "rv:x:skip", "rv:1", "rv:99999999999999999999:oos"):
        assert (await forge(bot, admin, data)).texts == [bot.say("review.unknown")], data
    assert questions(bot)[0].review is None and reviewed(bot) == []


async def test_a_second_press_while_the_first_is_checked_adds_nothing_more(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate, real = threading.Event(), review.add
    monkeypatch.setattr(review, "add", lambda *args: gate.wait(60) and real(*args))  # held until the presses are done
    villager = await bot.registered(5704)
    await villager.send(PARCEL)
    admin = bot.villager(ADMIN, "管理员")
    question = await admin.send("/review")
    fake_shopping = title(bot, "fraud.fake_shopping")

    first = await admin.press(fake_shopping, message=question.replies[0])
    assert first.texts == [bot.say("review.checking", number=1)]
    for label in (fake_shopping, bot.say("button.review_oos"), bot.say("button.review_skip")):
        again = await admin.press(label, message=question.replies[0])
        assert again.texts == [bot.say("review.pending", number=1)], label
    gate.set()
    assert await asyncio.to_thread(core_review.WORKER.wait, 60)
    await bot.until(lambda: len(admin.messages) >= 7, what="the result and the next question")

    assert [entry["intent"] for entry in reviewed(bot)] == ["fraud.fake_shopping"]  # once
    assert questions(bot)[0].review == "fraud.fake_shopping"
    assert [m.summary for m in admin.messages[-2:]] == [
        bot.say("review.added", number=1, title=fake_shopping), bot.say("review.none")
    ]


class CountingHolder:
    def __init__(self) -> None:
        self.reloads = 0

    def reload(self) -> None:
        self.reloads += 1


class CoreSaying:
    """The core in its own process, answering with a fixed outcome."""

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome

    async def answer(self, msg: Incoming) -> Outcome:
        return self.outcome


async def test_the_channel_process_reloads_when_the_core_says_it_reloaded() -> None:
    holder = CountingHolder()
    services = SimpleNamespace(knowledge=holder)
    for outcome, reloads in ((Outcome.text("ok"), 0), (replace(Outcome.text("added"), reloaded=True), 1)):
        runtime = Runtime(services, None, None, core=CoreSaying(outcome))  # type: ignore[arg-type]
        assert await runtime.answer(Incoming(ADMIN, ADMIN, button="rv:1:oos", kind="button")) == outcome
        assert holder.reloads == reloads
