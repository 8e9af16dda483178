"""End-to-end fixtures: the real Application from `build_app`, polling the fake Bot API, on a real
database (SQLite, and PostgreSQL when reachable) with the demo roster loaded.

Tests read like transcripts::

    async def test_start(bot):
        villager = bot.villager(5001)
        await villager.send("/start QS001")
        assert villager.replies[-1] == bot.say("welcome.village", ...)
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

_ROOT = str(Path(__file__).resolve().parents[4])
if _ROOT not in sys.path:  # `tests.fakes` importable however pytest is started
    sys.path.insert(0, _ROOT)

from bot.channels.telegram.app import build_app  # noqa: E402
from bot.services import Knowledge  # noqa: E402
from bot.settings import DatabaseSettings, Settings, load_settings  # noqa: E402
from bot.store.db import make_engine, session_factory, upgrade  # noqa: E402
from bot.store.demo import load_demo  # noqa: E402
from bot.store.models import Citizen, Officer, Outbox, Request, RequestEvent  # noqa: E402
from intents.faq import Faq  # noqa: E402
from tests.fakes import FakeBotApi, FakeChat, FakeUser, SentMessage  # noqa: E402

# From bot/store/demo_roster.csv
OFFICERS = {1001: "王示例", 1002: "李演示", 1003: "赵测试", 1004: "钱样例"}
DESKS = {"青山镇（示例）": -1000000000001, "白水镇（示例）": -1000000000002}
QINGSHAN, BAISHUI = "青山镇（示例）", "白水镇（示例）"
ADMIN = 9001
FIRST_TICKS = 0.15  # seconds: the timers that run this soon after a start have run before a test acts


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "bot_env(**env): extra CUNJING_* settings for the `bot` fixture")


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    """The FAQ and matcher, loaded once: the same for every bot the tests start."""
    return Knowledge.load(load_settings(env={}))


@dataclass
class Bot:
    """The fake Telegram around the running bot, and ways to look into its database."""

    api: FakeBotApi
    settings: Settings
    db: sessionmaker[Session]
    knowledge: Knowledge
    app: Any = None
    apps_started: int = 0
    _stack: list[Any] = field(default_factory=list)
    _ran: set[str] = field(default_factory=set)  # ids of the timers that have run to the end

    # -- people ------------------------------------------------------------------------------

    def villager(self, user_id: int, name: str = "村民", lang: str | None = "zh") -> FakeUser:
        return self.api.user(user_id, name, lang)

    def officer(self, user_id: int = 1001) -> FakeUser:
        return self.api.user(user_id, OFFICERS[user_id], "zh")

    def desk(self, town: str = QINGSHAN) -> FakeChat:
        return self.api.group(DESKS[town], f"{town}值班台")

    async def registered(self, user_id: int, code: str = "QS001", lang: str | None = "zh") -> FakeUser:
        """A villager who has sent `/start CODE`."""
        person = self.villager(user_id, f"村民{user_id}", lang)
        await person.send(f"/start {code}")
        return person

    # -- texts -------------------------------------------------------------------------------

    @property
    def faq(self) -> Faq:
        return self.knowledge.faq

    def say(self, key: str, lang: str = "zh", **params: Any) -> str:
        """A text of faq/messages.yaml, as the bot shows it."""
        return self.faq.message(key, lang, **params)

    # -- waiting -----------------------------------------------------------------------------

    async def until(self, condition: Callable[[], Any], timeout: float = 5.0, what: str = "") -> Any:
        """Wait for `condition()` to be truthy (timers and retries run on their own schedule)."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
            await asyncio.sleep(0.02)

    async def cards_for(
        self, chat: FakeUser | FakeChat, number: int, count: int = 1, timeout: float = 5.0
    ) -> list[SentMessage]:
        """Wait until `chat` has `count` request cards for #number; returns them."""
        title = self.say("card.title", urgent="", number=number)

        def found() -> list[SentMessage]:
            cards = [m for m in chat.messages if (m.text or "").split("\n", 1)[0].endswith(title)]
            return cards if len(cards) >= count else []

        return list(await self.until(found, timeout, what=f"{count} card(s) #{number} in chat {chat.id}"))

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        assert self.app is None, "the bot is already running"
        app = build_app(self.settings, self.knowledge)
        assert app.job_queue is not None
        self._ran = set()
        app.job_queue.scheduler.add_listener(lambda event: self._ran.add(event.job_id), EVENT_JOB_EXECUTED)
        runner = self.api.running(app, poll_timeout=1)
        await runner.__aenter__()
        self.app, self._stack = app, [runner]
        self.apps_started += 1
        await self.first_ticks()

    async def first_ticks(self) -> None:
        """Wait for the timers due right after the start to have run once (catching up on the outbox,
        deadlines, reminders...), so that what they send comes before the test acts."""
        assert self.app is not None and self.app.job_queue is not None
        soon = datetime.now(UTC) + timedelta(seconds=FIRST_TICKS)
        first = [job.job.id for job in self.app.job_queue.jobs() if job.next_t and job.next_t < soon]
        await self.until(lambda: self._ran.issuperset(first), what="the first timer runs")
        await self.api.settle()

    async def stop(self) -> None:
        if self.app is not None:
            runner = self._stack.pop()
            self.app = None
            await runner.__aexit__(None, None, None)

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    # -- the database ------------------------------------------------------------------------

    def requests(self) -> list[Request]:
        with self.db() as session:
            return list(session.scalars(select(Request).order_by(Request.id)))

    def request(self, number: int) -> Request:
        with self.db() as session:
            found = session.get(Request, number)
            assert found is not None, f"no request #{number}"
            return found

    def events(self, number: int) -> list[str]:
        with self.db() as session:
            statement = select(RequestEvent).where(RequestEvent.request_id == number).order_by(RequestEvent.id)
            return [e.action for e in session.scalars(statement)]

    def officer_of(self, number: int) -> int | None:
        """The Telegram id of the officer who holds request #number."""
        with self.db() as session:
            request = session.get(Request, number)
            assert request is not None, f"no request #{number}"
            officer = session.get(Officer, request.officer_id) if request.officer_id else None
            return officer.telegram_id if officer else None

    def outbox(self) -> list[Outbox]:
        with self.db() as session:
            return list(session.scalars(select(Outbox).order_by(Outbox.id)))

    def citizen(self, user_id: int) -> Citizen:
        with self.db() as session:
            found = session.scalars(select(Citizen).where(Citizen.user_id == user_id)).one()
            return found


def bot_settings(database: DatabaseSettings, api: FakeBotApi, **extra: str) -> Settings:
    env = {
        "TELEGRAM_BOT_TOKEN": api.token,
        "CUNJING_TELEGRAM__BASE_URL": api.base_url,
        "CUNJING_TELEGRAM__BASE_FILE_URL": api.base_file_url,
        "CUNJING_TELEGRAM__ADMINS": f"[{ADMIN}]",
        "CUNJING_TELEGRAM__PER_CHAT_INTERVAL": "0.02",
        "CUNJING_DATABASE__URL": database.effective_url,
        "CUNJING_ROUTING__DISPATCH_INTERVAL_SECONDS": "0.05",
        # the core in a thread of the test's process: a child per test would cost seconds each
        # (test_core_process.py runs the bot as configured, the core in its own process)
        "CUNJING_TELEGRAM__CORE_PROCESS": "false",
        **extra,
    }
    return load_settings(env=env)


@pytest.fixture
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as a timedelta, no warning
    yield


@pytest.fixture(scope="session")
def sqlite_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated and holding the demo roster, copied for each test (faster than migrating)."""
    path = tmp_path_factory.mktemp("template") / "demo.sqlite3"
    engine = make_engine(DatabaseSettings(path=path))
    upgrade(engine)
    assert load_demo(session_factory(engine))
    engine.dispose()  # the last connection closed: the WAL is checkpointed into the file
    return path


@pytest.fixture
def demo_db(database: DatabaseSettings, sqlite_demo: Path) -> Iterator[sessionmaker[Session]]:
    """The test's database (SQLite or PostgreSQL), migrated, with the demo roster loaded."""
    if not database.url:
        database.path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sqlite_demo, database.path)
    engine = make_engine(database)
    if database.url:
        upgrade(engine)
        assert load_demo(session_factory(engine))
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
async def bot(
    request: pytest.FixtureRequest,
    database: DatabaseSettings,
    demo_db: sessionmaker[Session],
    knowledge: Knowledge,
    ptb_timedelta: None,
    tmp_path: Path,
) -> AsyncIterator[Bot]:
    """The bot running against the fake Bot API, the demo roster loaded; the officers and desks exist."""
    marker = request.node.get_closest_marker("bot_env")
    extra = {k: str(v) for k, v in (marker.kwargs if marker else {}).items()}
    extra.setdefault("CUNJING_VOICE__CACHE_DIR", str(tmp_path / "speech-cache"))  # voice notes made afresh
    async with FakeBotApi() as api, running(api, bot_settings(database, api, **extra), demo_db, knowledge) as harness:
        yield harness


@contextlib.asynccontextmanager
async def running(
    api: FakeBotApi, settings: Settings, db: sessionmaker[Session], knowledge: Knowledge, *, desks: bool = True
) -> AsyncIterator[Bot]:
    """The bot started against `api`, the demo officers (and the duty desks) known to Telegram; stopped after."""
    harness = Bot(api, settings, db, knowledge)
    for officer in OFFICERS:
        harness.officer(officer)
    for town in DESKS if desks else ():
        harness.desk(town)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
