"""The bot as `cunjing run` runs it, in a process of its own, against the fake Bot API."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from bot.settings import DatabaseSettings
from bot.store.db import make_engine, session_factory, upgrade
from bot.store.demo import load_demo
from tests.fakes import FakeBotApi, FakeUser

ROOT = Path(__file__).resolve().parents[4]
RUN = (
    "import logging, sys; from bot.logs import setup_logging; setup_logging(logging.WARNING);"
    "from bot.settings import load_settings; from bot.channels.telegram.app import run;"
    "sys.exit(run(load_settings()))"
)


@contextlib.contextmanager
def bot_process(
    api: FakeBotApi,
    tmp_path: Path,
    *,
    roster: bool = True,
    database: DatabaseSettings | None = None,
    again: bool = False,
    **settings: str,
) -> Iterator[subprocess.Popen[bytes]]:
    """The bot on a SQLite file with the demo roster (unless `roster` is False) and a copy of the
    FAQ (in `tmp_path`); `settings` are environment overrides; stderr goes to `tmp_path / "stderr.txt"`.
    `database`: another one, already prepared; `again`: a restart on what an earlier one left
    (its FAQ, its database; stderr appended)."""
    if not again:
        shutil.copytree(ROOT / "faq", tmp_path / "faq")  # a copy, so that a test can edit it
    database = database or DatabaseSettings(path=tmp_path / "bot.sqlite3")
    if roster and not again:
        engine = make_engine(database)
        upgrade(engine)
        load_demo(session_factory(engine))
        engine.dispose()
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": api.token,
        "CUNJING_TELEGRAM__BASE_URL": api.base_url,
        "CUNJING_TELEGRAM__BASE_FILE_URL": api.base_file_url,
        "CUNJING_DATABASE__URL": database.effective_url,
        "CUNJING_FAQ__DIR": str(tmp_path / "faq"),
        **settings,
    }
    # a session of its own, so that Ctrl-C can be played to its whole process group
    with (tmp_path / "stderr.txt").open("ab" if again else "wb") as errors:
        bot = subprocess.Popen([sys.executable, "-c", RUN], cwd=ROOT, env=env, stderr=errors, start_new_session=True)
        try:
            yield bot
        finally:
            if bot.poll() is None:
                os.killpg(bot.pid, signal.SIGKILL)
                bot.wait()


async def until(condition: Callable[[], object], timeout: float, bot: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert bot is None or bot.poll() is None, f"the bot exited ({bot.returncode})"
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def say(villager: FakeUser, text: str, replies: int = 1) -> list[str]:
    """What the bot answers to `text` (waiting for `replies` messages)."""
    before = len(villager.replies)
    await villager.send(text, settle=False)
    await until(lambda: len(villager.replies) >= before + replies, 20)
    return villager.replies[before:]


async def interrupt(bot: subprocess.Popen[bytes], tmp_path: Path) -> None:
    """Ctrl-C in a terminal (the bot and its children get it): the bot stops cleanly."""
    os.killpg(bot.pid, signal.SIGINT)
    await until(lambda: bot.poll() is not None, 30)
    assert bot.returncode == 0
    stderr = (tmp_path / "stderr.txt").read_text()
    assert "Traceback" not in stderr, stderr[-3000:]
