"""The station's watch: GET /healthz and GET /metrics on a small HTTP listener of its own (`monitor`
settings; off by default). Its own port in polling and webhook mode alike (the webhook's server is
python-telegram-bot's, for Telegram only); aiohttp's server, on the bot's event loop.

/healthz is 200 {"ok": true, ...} when the database answers `SELECT 1` and Telegram answered getMe
within `monitor.healthy_within_minutes` (asked every `getme_every_minutes`), else 503 with the reason.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot import metrics
from bot.settings import MonitorSettings

log = logging.getLogger(__name__)

DB_TIMEOUT = 5.0  # seconds for `SELECT 1`: a database slower than this is not healthy


@dataclass
class Monitor:
    settings: MonitorSettings
    db: sessionmaker[Session]
    getme_at: float | None = None  # time.monotonic() of the last getMe that succeeded
    runner: web.AppRunner | None = field(default=None, repr=False)

    @property
    def port(self) -> int:
        """The port listened on (the configured one; the one chosen when configured 0)."""
        assert self.runner is not None
        return int(self.runner.addresses[0][1])

    def getme_ok(self) -> None:
        self.getme_at = time.monotonic()
        metrics.GETME_OK.set_to_current_time()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)
        self.runner = web.AppRunner(app, access_log=None)  # a scrape every 15 s is no news for the journal
        await self.runner.setup()
        await web.TCPSite(self.runner, self.settings.host, self.settings.port).start()
        log.info("health and metrics on http://%s:%d/healthz and /metrics", self.settings.host, self.port)

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    async def healthz(self, request: web.Request) -> web.Response:
        problem = await self.database_problem()
        since = None if self.getme_at is None else time.monotonic() - self.getme_at
        if problem is None and (since is None or since > self.settings.healthy_within_minutes * 60):
            problem = (
                "telegram: getMe has not succeeded since the start" if since is None
                else f"telegram: getMe last succeeded {since:.0f} s ago"
            )
        answer: dict[str, object] = {"ok": problem is None}
        if problem is not None:
            answer["reason"] = problem
        if since is not None:
            answer["getme_seconds_ago"] = round(since, 1)
        return web.json_response(answer, status=200 if problem is None else 503)

    async def metrics(self, request: web.Request) -> web.Response:
        return web.Response(body=metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def database_problem(self) -> str | None:
        def select_one() -> None:
            with self.db() as session:
                session.execute(text("SELECT 1"))

        try:
            await asyncio.wait_for(asyncio.to_thread(select_one), DB_TIMEOUT)
        except TimeoutError:
            return f"database: no answer to SELECT 1 within {DB_TIMEOUT:g} s"
        except Exception as exc:  # noqa: BLE001 - whatever fails, the answer is "not healthy, because"
            return f"database: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
        return None


async def setup(app: Application, db: sessionmaker[Session], settings: MonitorSettings) -> None:
    """Start the listener (when enabled) and the getMe timer; `initialize` has just had getMe answered.
    A port in use is logged, not fatal: the bot's work for villagers goes on without its watch."""
    if not settings.enabled:
        return
    monitor = Monitor(settings, db)
    monitor.getme_ok()
    try:
        await monitor.start()
    except OSError as exc:
        log.error("monitor: cannot listen on %s:%d (%s); no /healthz or /metrics", settings.host, settings.port, exc)
        return
    app.bot_data["monitor"] = monitor
    assert app.job_queue is not None
    every = settings.getme_every_minutes * 60
    app.job_queue.run_repeating(ping, interval=every, first=every, name="getme", data=monitor)


async def ping(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask Telegram getMe; a failure leaves the last success's time, which /healthz judges."""
    monitor: Monitor = context.job.data  # type: ignore[union-attr,assignment]
    try:
        await context.bot.get_me()
    except TelegramError as exc:
        log.warning("getMe failed: %s", exc)
        return
    monitor.getme_ok()


async def teardown(app: Application) -> None:
    monitor: Monitor | None = app.bot_data.pop("monitor", None)
    if monitor is not None:
        await monitor.stop()
