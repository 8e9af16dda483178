"""A `/review` choice is checked and added off its turn: on SQLite a turn holds the one write lock
from its start, and the check (the conflict report over every example, seconds) inside it kept every
villager's answer, and the channel's inbox, waiting. The turn answers "checking…" at once; the result
follows through the outbox with the next question, and the admin's next review turn tells a channel
in another process to reload its copy of the FAQ."""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot import review
from bot.core import review as core_review
from bot.core.types import Incoming, text_message
from bot.settings import PROJECT_ROOT
from tests.bot.core.conftest import World
from tests.bot.core.test_ahead import Watch

ADMIN = 9000
PARCEL = "收到个快递没买过东西 要我扫码付运费"  # falls back; its likeliest intent is fraud.fake_shopping


@pytest.fixture
def world(make_world: Callable[..., World], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    """The core on its own copy of the FAQ (a choice writes to it), its own review thread, and the
    calibration that follows a choice stood in for (it takes tens of seconds)."""
    shutil.copytree(PROJECT_ROOT / "faq", tmp_path / "faq")
    monkeypatch.setattr(core_review, "WORKER", core_review.Worker())
    monkeypatch.setattr(review, "CALIBRATOR", review.Calibrator(lambda directory, settings: "calibrated"))
    return make_world(CUNJING_FAQ__DIR=str(tmp_path / "faq"))


def press(world: World, data: str) -> Any:
    return world.conversation.handle(Incoming(ADMIN, ADMIN, button=data, kind="button", lang_hint="zh"))


def say(world: World, key: str, **params: Any) -> str:
    return world.faq.message(key, "zh", **params)


def test_the_choice_is_checked_after_its_turn_has_let_the_database_go(
    world: World, factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    world.person(5801).send(PARCEL)
    admin = world.person(ADMIN)
    admin.send("/review")
    watch, turn_done, real = Watch(factory.kw["bind"]), threading.Event(), review.add

    def checking(*args: Any) -> review.Result:
        turn_done.wait(10)  # the old code checked inside the turn: it waited here in vain
        watch.scored.append(("check", watch.open > 0))
        return real(*args)

    monkeypatch.setattr(review, "add", checking)
    chosen = press(world, "rv:1:fraud.fake_shopping")
    turn_done.set()
    assert [r.text for r in chosen.replies] == [say(world, "review.checking", number=1)]
    assert core_review.WORKER.wait(60)
    assert watch.scored == [("check", False)]  # no transaction open: everyone else's turns go on

    asyncio.run(world.dispatcher.drain())
    title = world.faq["fraud.fake_shopping"].title.zh
    added = say(world, "review.added", number=1, title=title)
    assert [r.text for r in admin.inbox] == [added, say(world, "review.none")]
    assert world.person(5801).send(PARCEL)[0].text == world.faq["fraud.fake_shopping"].first("zh")  # the core's FAQ


def test_the_channel_reloads_at_the_admins_next_review_turn(world: World) -> None:
    world.person(5802).send(PARCEL)
    world.person(5803).send("我想学开挖掘机")  # falls back too
    review_command = text_message(ADMIN, ADMIN, "/review", lang_hint="zh")
    assert not world.conversation.handle(review_command).reloaded

    chosen = press(world, "rv:1:fraud.fake_shopping")
    assert not chosen.reloaded  # nothing reloaded yet: the check has only begun
    assert core_review.WORKER.wait(60)
    asyncio.run(world.dispatcher.drain())
    offered = world.person(ADMIN).inbox[-1]
    assert offered.text.startswith(say(world, "review.question", number=2, text="", was="")[:8])

    skipped = press(world, offered.buttons[-1][-1].data)  # ⏭ the next question: the admin's next review turn
    assert [r.text for r in skipped.replies][0] == say(world, "review.skipped", number=2)
    assert skipped.reloaded  # the channel's process reloads its copy now
    assert not world.conversation.handle(review_command).reloaded  # once
