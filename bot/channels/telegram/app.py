"""The Telegram channel: `build_app()` reads as a routing table; `run()` starts it."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import hashlib
import hmac
import logging
from datetime import timedelta

from telegram import Update
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.channels.telegram import admin, inbox, menus, monitor, officer, outreach, render, villager
from bot.channels.telegram.media import Media
from bot.channels.telegram.ordering import PerUserOrder, slow_down
from bot.channels.telegram.runtime import Runtime, busy_while_recording, handle, runtime_of, runtime_of_app
from bot.channels.telegram.transport import AiohttpRequest
from bot.core import intake, periodic
from bot.core.conversation import Conversation
from bot.core.core_process import CoreProcess
from bot.core.dispatch import Dispatcher
from bot.core.pace import Pacer
from bot.core.send_lease import RENEW_EVERY, SenderLease
from bot.paths import CHECKOUT
from bot.services import Knowledge, KnowledgeHolder, Services
from bot.settings import PROJECT_ROOT, Settings
from bot.store import db, demo, faults, roster, station, updates
from bot.store import inbox as store_inbox
from bot.store.types import utcnow
from intents import tokens

log = logging.getLogger(__name__)

# Connections to the Bot API beyond the handlers' (`telegram.concurrent_updates`): the outbox and the alerts.
# One update at a time, the round trip to Telegram caps the bot: benchmarks/bot_load.py --latency 100
# answers 8 messages a second so, 136 with 16 at once and 200 (all offered) with 64.
SENDERS_POOL = 32


def build_app(settings: Settings, knowledge: Knowledge | None = None) -> Application:
    """The Application with every handler; `knowledge` (FAQ + matcher) is loaded at start unless given."""
    tg = settings.telegram
    hide_token(tg.token)  # before the Bot exists: it logs its URL
    render.quiet_flood_limits()  # a 429 is expected: one WARNING line from its sender, no traceback
    order = PerUserOrder(tg.concurrent_updates)
    updates = inbox.InboxQueue()
    app = (
        ApplicationBuilder()
        .token(tg.token)
        # the inbox: an update is recorded before Telegram is told it arrived, marked when handled
        .application_class(inbox.InboxApplication)
        .update_queue(updates)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        # aiohttp, not httpx: a fifth of the CPU per Bot API call (transport.py)
        .request(AiohttpRequest(tg.concurrent_updates + SENDERS_POOL, read_timeout=tg.send_timeout))
        .get_updates_request(inbox.RecordingRequest(updates))  # each poll's updates recorded in one go
        # no retries here: a 429 goes back to its sender, which waits retry_after (a reply) or reschedules
        # the row and pauses its chat (every sender when several chats are limited at once: bot/core/pace.py)
        .rate_limiter(AIORateLimiter(overall_max_rate=tg.overall_per_second, overall_time_period=1, max_retries=0))
        .concurrent_updates(order)
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    order.on_flood = slow_down(app)
    app.bot_data["settings"] = settings
    app.bot_data["knowledge"] = knowledge
    # gatekeepers first: updates that are not a person talking to us stop here
    app.add_handler(TypeHandler(Update, gatekeeper), group=-1)
    app.add_handlers(admin.handlers())
    app.add_handlers(officer.handlers())
    app.add_handlers(outreach.handlers())
    app.add_handlers(villager.handlers())
    app.add_error_handler(on_error)
    return app


class HideToken(logging.Filter):
    """A Bot API URL holds the token: it never reaches a log."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token:
            message = record.getMessage()
            if self.token in message:
                record.msg, record.args = message.replace(self.token, "<token>"), None
        return True


# Loggers whose lines may carry a Bot API URL: filters do not pass down to child loggers, so each is named.
# (transport.py itself never logs a URL.)
URL_LOGGERS = (
    "aiohttp.client",
    "aiohttp.internal",
    "telegram",
    "telegram.Bot",
    "telegram.ext",
    "telegram.ext.ExtBot",
    "telegram.ext.Updater",
    "telegram.ext.Application",
)


def hide_token(token: str) -> None:
    """Mask the token in the logs of python-telegram-bot and of aiohttp under it (once per token)."""
    for name in URL_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, HideToken) and f.token == token for f in logger.filters):
            logger.addFilter(HideToken(token))


async def post_init(app: Application) -> None:
    """Build the long-lived services once, catch up on timers and the outbox, set the menu."""
    # the bot's own @name, from Telegram (getMe, called by initialize): for "talk to me privately"
    # buttons and the posters' links, whatever the configuration says
    settings: Settings = with_bot_username(app.bot_data["settings"], app.bot.username)
    app.bot_data["settings"] = settings
    engine = db.make_engine(settings.database)
    db.upgrade(engine)
    with db.session_factory(engine).begin() as session:
        station.remember(session, station.BOT_USERNAME, app.bot.username)
    knowledge = KnowledgeHolder(settings, app.bot_data.get("knowledge"))
    services = Services(settings, knowledge, db.session_factory(engine))
    # one pace for the outbox and the alerts: together at most overall_per_second, one per chat
    pacer = Pacer(settings.telegram.overall_per_second, settings.telegram.per_chat_interval)
    # several workers on one PostgreSQL: only the lease's holder sends the outbox and the alerts
    lease = SenderLease(services.db, shared=engine.dialect.name != "sqlite")
    await asyncio.to_thread(lease.renew)
    app.bot_data["pacer"], app.bot_data["lease"] = pacer, lease
    # photos read (not one kept for a request being written) and voice notes made, in threads of this process
    media = Media(settings, functools.partial(intake.keeps_photos, services.db))
    send = pacer.paced(lambda chat_id, reply: render.deliver(app.bot, chat_id, reply, media.voice_note))
    outreach.setup(app, services, pacer, holding=lambda: lease.held)
    dispatcher = Dispatcher(
        services.db,
        send,
        settings.telegram.per_chat_interval,
        settings.telegram.max_send_attempts,
        running=lambda: app.running and lease.held,  # a stop does not wait for the whole outbox at Telegram's pace
    )
    core = CoreProcess(settings, services.knowledge) if settings.telegram.core_process else None
    app.bot_data["runtime"] = Runtime(
        services, Conversation(services), dispatcher, spawn=app.create_task, running=lambda: app.running, core=core,
        media=media, flood_wait=lambda: pacer.paused_until - pacer.clock(),
    )
    app.bot_data["engine"] = engine
    if core is not None:
        await core.start()
    else:
        await asyncio.to_thread(tokens.warm_up)  # jieba's dictionary: loaded now, not on the first question
    schedule(app, settings)
    await monitor.setup(app, services.db, settings.monitor)  # /healthz and /metrics, when enabled
    await set_menu(app, services)
    warn_without_roster(services)
    # last: what a kill left unhandled is handled first, with everything ready
    inbox.attach(app, services.db, busy_while_recording(runtime_of_app(app), app.bot))


def with_bot_username(settings: Settings, username: str) -> Settings:
    return dataclasses.replace(settings, telegram=dataclasses.replace(settings.telegram, bot_username=username))


def warn_without_roster(services: Services) -> None:
    """A new station's first start: villagers cannot register before a roster is imported."""
    with services.db() as session:
        if roster.has_villages(session):
            return
    log.warning(
        "no roster yet: villagers cannot register their village. Import it with `cunjing roster import FILE` "
        "(CSV or XLSX), or try the bot with the demo roster: `cunjing roster import %s`",
        demo.DEMO_ROSTER.relative_to(PROJECT_ROOT) if CHECKOUT else demo.DEMO_ROSTER,  # a wheel's: in full
    )


def schedule(app: Application, settings: Settings) -> None:
    """Timers come from the database: the outbox and the deadlines survive any restart."""
    jobs = app.job_queue
    assert jobs is not None, "python-telegram-bot[job-queue] is required"
    jobs.run_repeating(drain, interval=settings.routing.dispatch_interval_seconds, first=0.02, name="outbox")
    for task in periodic.TASKS:
        jobs.run_repeating(run_periodic, interval=task.every(settings), first=0.05, name=task.name, data=task)
    jobs.run_repeating(outreach.tick, interval=outreach.TICK_SECONDS, first=0.3, name="alerts")
    jobs.run_repeating(hold_lease, interval=RENEW_EVERY, first=RENEW_EVERY, name="send-lease")
    jobs.run_repeating(forget_updates, interval=timedelta(hours=6), first=timedelta(minutes=1), name="seen-updates")


async def set_menu(app: Application, services: Services) -> None:
    await menus.set_all(app.bot, services)  # per scope and language, and the bot's descriptions


async def post_stop(app: Application) -> None:
    await outreach.stop(app)  # while the bot can still talk to Telegram
    lease: SenderLease | None = app.bot_data.get("lease")
    if lease is not None:
        await asyncio.to_thread(lease.give_up)  # another worker sends from now on, not after the lease runs out


async def post_shutdown(app: Application) -> None:
    await monitor.teardown(app)
    runtime = app.bot_data.get("runtime")
    if runtime is not None and runtime.core is not None:
        await runtime.core.stop()
    if runtime is not None and runtime.media is not None:
        await asyncio.to_thread(runtime.media.close)  # the speech worker, when a voice note started it
    engine = app.bot_data.get("engine")
    if engine is not None:
        engine.dispose()


async def gatekeeper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Channel posts, bots and service updates go no further."""
    from telegram.ext import ApplicationHandlerStop

    user = update.effective_user
    if user is None or user.is_bot or update.effective_chat is None:
        raise ApplicationHandlerStop


async def hold_lease(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Renew the send lease, sharing the flood wait both ways; a worker that just took it sends at once."""
    lease: SenderLease = context.application.bot_data["lease"]
    pacer: Pacer = context.application.bot_data["pacer"]
    taken = await asyncio.to_thread(lease.renew, pacer.paused_until - pacer.clock())
    if (wait := lease.paused_until - pacer.clock()) > 0:
        pacer.pause(wait)
    if taken:
        runtime_of(context).kick()  # the alerts' tick starts its engine within a second


async def drain(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The outbox tick: a drain already running (paced sends, a kick) will pick up what is due."""
    runtime = runtime_of(context)
    if not runtime.dispatcher.lock.locked():
        runtime.kick()


async def run_periodic(context: ContextTypes.DEFAULT_TYPE) -> None:
    """One of the core's timed tasks; what it queued is sent at once."""
    task: periodic.Periodic = context.job.data  # type: ignore[union-attr,assignment]
    runtime = runtime_of(context)
    if await asyncio.to_thread(task.run, runtime.services):
        runtime.kick()


async def forget_updates(context: ContextTypes.DEFAULT_TYPE) -> None:
    runtime = runtime_of(context)
    with runtime.services.db.begin() as session:
        updates.forget_before(session, utcnow() - timedelta(days=2))
        store_inbox.forget_before(session, utcnow() - timedelta(days=2))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A bug: logged with its traceback; the user gets a plain apology, never the error's text.

    A database that fails for now, met by a timer (the outbox, deadlines), is no bug: the timer runs
    again at its next tick, and one line says so."""
    if update is None and context.error is not None and faults.transient(context.error):
        log.warning("database unavailable for a timed task: %s", faults.describe(context.error))
        return
    log.error("unhandled error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    runtime = runtime_of(context) if "runtime" in context.application.bot_data else None
    lang = "en" if (update.effective_user and (update.effective_user.language_code or "").startswith("en")) else "zh"
    text = runtime.services.knowledge().faq.message("error.generic", lang) if runtime else "抱歉，出了点问题。"
    try:
        await context.bot.send_message(update.effective_chat.id, text)
    except Exception:  # the apology itself failing must not loop back here
        log.warning("could not send the apology", exc_info=True)


def webhook_path(token: str) -> str:
    """The webhook's URL path: derived from the token (every worker agrees), never the token itself."""
    return _derive(token, "webhook-path")


def webhook_secret(token: str) -> str:
    """The secret Telegram sends with each update. Independent of the path: the path shows in every
    proxy's access log, and whoever knows the secret can post updates as any user, an admin too."""
    return _derive(token, "webhook-secret")


def _derive(token: str, purpose: str) -> str:
    return hmac.new(token.encode(), purpose.encode(), hashlib.sha256).hexdigest()[:48]


def use_uvloop() -> None:
    """uvloop's event loop where it exists (not on Windows): the loop's own work (sockets, tasks,
    timers) is much of this process's, and uvloop does it in C (benchmarks/bot_load.py)."""
    try:
        import uvloop
    except ImportError:
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def run(settings: Settings) -> int:
    """Run the bot until Ctrl-C: long polling, or a webhook when configured."""
    knowledge = Knowledge.load(settings)  # a bad FAQ stops here, with every problem listed
    use_uvloop()
    app = build_app(settings, knowledge)
    log.info("starting the Telegram bot (%s)", settings.telegram.mode)
    if settings.telegram.mode == "webhook":
        path, secret = webhook_path(settings.telegram.token), webhook_secret(settings.telegram.token)
        app.run_webhook(
            listen=settings.telegram.webhook_listen,
            port=settings.telegram.webhook_port,
            url_path=path,
            webhook_url=f"{settings.telegram.webhook_url.rstrip('/')}/{path}",
            secret_token=secret,
            allowed_updates=Update.ALL_TYPES,
            # Telegram's connections to us at once (1-100, 40 unless set): as many as the handlers
            # take at once, so that several workers behind a proxy each get enough to keep busy
            max_connections=max(1, min(100, settings.telegram.concurrent_updates)),
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES, timeout=int(settings.telegram.poll_timeout))
    return 0


__all__ = ["build_app", "handle", "run", "runtime_of_app"]
