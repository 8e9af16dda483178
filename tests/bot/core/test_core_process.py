"""The core in a child process: it answers as the core does, survives losing its process, reports a
bug without dying, and stops cleanly."""

from __future__ import annotations

import asyncio
import dataclasses
import multiprocessing
import os
import signal
from pathlib import Path

import pytest

from bot.core.core_process import CoreFailed, CoreProcess
from bot.core.types import text_message
from bot.settings import DatabaseSettings, Settings, load_settings
from bot.store.db import make_engine, session_factory, upgrade
from bot.store.demo import load_demo
from tests.bot.core.conftest import knowledge_once

pytestmark = pytest.mark.asyncio


def settings_on(path: Path, migrated: bool = True) -> Settings:
    database = DatabaseSettings(path=path)
    if migrated:
        engine = make_engine(database)
        upgrade(engine)
        load_demo(session_factory(engine))
        engine.dispose()
    return dataclasses.replace(load_settings(), database=database)


def core_children() -> list[multiprocessing.process.BaseProcess]:
    return [p for p in multiprocessing.active_children() if p.name == "cunjing-core"]


async def test_the_core_process_answers_survives_a_kill_and_stops(tmp_path: Path) -> None:
    settings = settings_on(tmp_path / "bot.sqlite3")
    core = CoreProcess(settings)
    await core.start()
    [child] = core_children()
    faq = knowledge_once().faq

    welcome = await core.answer(text_message(7001, 7001, "/start QS001", lang_hint="zh", update_id=1))
    village = faq.message("welcome.village", "zh", village="青山村", town="青山镇（示例）", officer="王示例")
    assert [r.text for r in welcome.replies] == [faq.message("welcome", "zh"), village]
    again = await core.answer(text_message(7001, 7001, "/start QS001", lang_hint="zh", update_id=1))
    # the same update twice (its first answer cut off): the answer kept with it, nothing done again
    assert again.replies == welcome.replies and not again.queued

    os.kill(child.pid or 0, signal.SIGKILL)
    answer = await core.answer(text_message(7001, 7001, "身份证丢了怎么补办", update_id=2))
    lost = faq["service.id_card_lost"]
    assert [r.text for r in answer.replies] == [lost.first("zh")]
    [new] = core_children()
    assert new.pid != child.pid

    await core.stop()
    assert new.exitcode == 0
    assert core_children() == []


async def test_a_bug_in_the_core_is_reported_and_the_process_carries_on(tmp_path: Path) -> None:
    core = CoreProcess(settings_on(tmp_path / "empty.sqlite3", migrated=False))  # no tables: every turn fails
    await core.start()
    [child] = core_children()
    try:
        for update in (1, 2):
            with pytest.raises(CoreFailed) as failed:
                await core.answer(text_message(7002, 7002, "你好", update_id=update))
            assert "Traceback" in str(failed.value) and "no such table" in str(failed.value)
        assert core_children() == [child] and child.is_alive()
    finally:
        await core.stop()
    assert child.exitcode == 0


async def test_a_core_whose_bot_is_killed_mid_message_leaves_quietly(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """kill -9 of the bot: its core, orphaned, finds nobody to answer: one line, no traceback."""
    import logging
    import pickle
    import socket

    from bot.core.core_process import FRAME, _serve

    mine, theirs = socket.socketpair()
    context = multiprocessing.get_context("spawn")
    child = context.Process(target=_serve, args=(theirs, settings_on(tmp_path / "bot.sqlite3"), logging.INFO))
    child.start()
    theirs.close()
    with mine:
        assert mine.recv(FRAME.size, socket.MSG_WAITALL) == FRAME.pack(0, 0)  # ready
        data = pickle.dumps(text_message(7003, 7003, "身份证丢了怎么补办", update_id=3))
        mine.sendall(FRAME.pack(len(data), 1) + data)
    # the bot is gone before the answer
    await asyncio.to_thread(child.join, 60)
    assert child.exitcode == 0
    err = capfd.readouterr().err
    assert "Traceback" not in err and "the bot's process is gone" in err, err[-3000:]


async def test_a_core_killed_while_the_faq_is_broken_on_disk_comes_back_with_the_last_good_one(tmp_path: Path) -> None:
    """An admin halfway through an edit leaves the FAQ broken; the core, killed meanwhile, still
    answers from the FAQ the channel holds, and `/reload` says what is wrong and keeps it."""
    import shutil

    from bot.services import KnowledgeHolder
    from bot.settings import FaqSettings

    admin = 9001
    shutil.copytree(Path(load_settings().faq.dir), tmp_path / "faq")
    settings = dataclasses.replace(
        settings_on(tmp_path / "bot.sqlite3"),
        faq=FaqSettings(dir=tmp_path / "faq"),
        telegram=dataclasses.replace(load_settings().telegram, admins=(admin,)),
    )
    held = KnowledgeHolder(settings, knowledge_once())  # the channel's FAQ, loaded and checked at start
    core = CoreProcess(settings, held)
    await core.start()
    [child] = core_children()
    lost = knowledge_once().faq["service.id_card_lost"].first("zh")
    try:
        (tmp_path / "faq" / "services.yaml").write_text("intents:\n  - id: [half an edit\n", encoding="utf-8")
        os.kill(child.pid or 0, signal.SIGKILL)

        answer = await core.answer(text_message(7004, 7004, "身份证丢了怎么补办", update_id=1))
        assert [r.text for r in answer.replies] == [lost]
        [new] = core_children()
        assert new.pid != child.pid

        told = await core.answer(text_message(admin, admin, "/reload", update_id=2))
        failed = knowledge_once().faq.message("admin.reload_failed", "zh", problems="").strip()
        assert told.replies[0].text.startswith(failed) and "services.yaml" in told.replies[0].text
        assert not told.reloaded
        again = await core.answer(text_message(7004, 7004, "身份证丢了怎么补办", update_id=3))
        assert [r.text for r in again.replies] == [lost]
    finally:
        await core.stop()
