"""What the Telegram channel holds for its whole life, built once in `post_init`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot import logs, metrics
from bot.channels.telegram import parse, render
from bot.channels.telegram.media import Media
from bot.core.conversation import Conversation
from bot.core.core_process import CoreProcess
from bot.core.dispatch import Dispatcher, RetryLater, Sent
from bot.core.types import Incoming, Outcome, Reply
from bot.errors import DatabaseDown, FaqError
from bot.services import Services
from bot.store import links, outbox

log = logging.getLogger(__name__)


Spawn = Callable[[Coroutine[Any, Any, int]], "asyncio.Task[int]"]
DB_RETRY_FIRST = 0.5  # seconds before a turn that met a database fault is tried again; doubled each time
DB_RETRY_MAX = 8.0
DB_PATIENCE = 300.0  # a database down for longer is no passing fault: the error handler hears of it


@dataclass
class Runtime:
    services: Services
    conversation: Conversation
    dispatcher: Dispatcher
    # `Application.create_task`: errors go to the error handler, and stopping waits for the task
    spawn: Spawn = asyncio.create_task
    running: Callable[[], bool] = lambda: True
    tasks: set[asyncio.Task[int]] = field(default_factory=set)
    told_busy: set[int] = field(default_factory=set)  # users told their message waits for the database
    core: CoreProcess | None = None  # the core in its own process, else in a thread of this one
    media: Media | None = None  # photos read, voice notes made (bot/channels/telegram/media.py)
    # seconds left of Telegram's flood wait, which holds for the whole bot (the pacer's, shared by
    # every worker through the send lease): direct replies keep it too
    flood_wait: Callable[[], float] = lambda: 0.0

    async def answer(self, msg: Incoming) -> Outcome:
        """The core's outcome for one message, from its process or a worker thread."""
        if self.core is None:
            return await asyncio.to_thread(self.conversation.handle, msg)
        outcome = await self.core.answer(msg)
        if outcome.reloaded:  # /reload, or a /review choice that changed the FAQ: this process's texts follow
            await asyncio.to_thread(self.reload_here)
        return outcome

    def reload_here(self) -> None:
        # a bad FAQ: the core has told the admin what is wrong; the last good one stays here too
        with contextlib.suppress(FaqError):
            self.services.knowledge.reload()

    def kick(self) -> None:
        """Send what the last update queued for others now, rather than at the next tick.

        Not while stopping: a drain cut short would leave its rows claimed; unclaimed, the next
        start sends them at once."""
        if not self.running():
            return
        task = self.spawn(self.dispatcher.drain())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


def runtime_of(context: ContextTypes.DEFAULT_TYPE) -> Runtime:
    runtime: Runtime = context.application.bot_data["runtime"]
    return runtime


def runtime_of_app(app: Application) -> Runtime:
    runtime: Runtime = app.bot_data["runtime"]
    return runtime


async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every handler's callback: parse, one call into the core, render."""
    msg = parse.incoming(update)
    if msg is None:
        return
    started = time.perf_counter()
    logs.UPDATE_ID.set(update.update_id)  # this update's task: its log lines name it (bot/logs.py)
    runtime = runtime_of(context)
    if update.callback_query is not None:
        await answer(update)
    if runtime.media is not None:
        msg = await runtime.media.read(context.bot, msg)  # a screenshot's words, before the turn
    outcome = await patiently(runtime, context, msg)
    await reply(runtime, context, msg.chat_id, outcome, update.update_id)
    if outcome.queued:
        runtime.kick()
    metrics.UPDATES.labels(msg.kind).inc()
    metrics.TURN_SECONDS.observe(time.perf_counter() - started)


async def patiently(runtime: Runtime, context: ContextTypes.DEFAULT_TYPE, msg: Incoming) -> Outcome:
    """The core's outcome, waiting out a database that fails for now (a restart, a lock, a full disk).

    The turn changed nothing when it failed and is idempotent by update id, so it is simply tried
    again, with backoff. The user's later messages wait behind it (their order is kept), and the
    user hears once that their message will be handled. After `DB_PATIENCE` seconds it is a bug
    for the error handler."""
    delay, waited = DB_RETRY_FIRST, 0.0
    try:
        while True:
            try:
                return await runtime.answer(msg)
            except DatabaseDown as exc:
                if waited >= DB_PATIENCE:
                    raise
                log.warning("database unavailable (%s): update %s tried again in %.1f s", exc, msg.update_id, delay)
                await tell_busy(runtime, context.bot, msg)
                await asyncio.sleep(delay)
                waited += delay
                delay = min(delay * 2, DB_RETRY_MAX)
    finally:
        runtime.told_busy.discard(msg.user_id)


async def tell_busy(runtime: Runtime, bot: Bot, msg: Incoming) -> None:
    """Once per user while the database is away: their message has arrived and will be handled
    (not in a group: the group does not need to hear it)."""
    if msg.in_group or msg.user_id in runtime.told_busy:
        return
    runtime.told_busy.add(msg.user_id)
    lang = "en" if (msg.lang_hint or "").startswith("en") else runtime.services.settings.app.default_lang
    text = runtime.services.knowledge().faq.message("busy", lang)
    result = await render.deliver(bot, msg.chat_id, Reply(text))
    if not isinstance(result, Sent):
        log.info("the busy notice to chat %s was not sent: %s", msg.chat_id, result)


def busy_while_recording(runtime: Runtime, bot: Bot) -> Callable[[Update], Coroutine[Any, Any, None]]:
    """For the inbox: an update that cannot be recorded yet (the database is away) waits at
    Telegram, and its sender hears once that it will be handled."""

    async def tell(update: Update) -> None:
        msg = parse.incoming(update)
        if msg is not None:
            await tell_busy(runtime, bot, msg)

    return tell


async def answer(update: Update) -> None:
    """Stop the button's spinner. A query answered before (a redelivered update) or too old is no error."""
    assert update.callback_query is not None
    try:
        await update.callback_query.answer()
    except TelegramError as exc:
        log.info("callback query of update %s not answered: %s", update.update_id, exc)


async def reply(
    runtime: Runtime, context: ContextTypes.DEFAULT_TYPE, chat_id: int, outcome: Outcome, update_id: int
) -> None:
    """Show the replies; one that cannot be sent now goes to the outbox, so it is not lost.

    The turn itself is done and committed: a database fault here is logged, never answered with an
    apology after the real answer (which would invite the villager to send it all again)."""
    for i, item in enumerate(outcome.replies):
        voices = runtime.media.voice_note if runtime.media is not None else None
        if (wait := runtime.flood_wait()) > 0:
            await asyncio.sleep(wait)
        result = await render.deliver_now(context.bot, chat_id, item, voices)
        try:
            if isinstance(result, RetryLater) and not result.unknown:  # unknown: at most once, not queued
                await asyncio.to_thread(later, runtime, f"update:{update_id}:reply:{i}", chat_id, item)
                runtime.kick()
            elif item.ref and hasattr(result, "message_id") and result.message_id is not None:
                await asyncio.to_thread(link, runtime, chat_id, result.message_id, item.ref)
        except Exception as exc:  # noqa: BLE001 - after the turn: nothing to tell the user
            log.error("update %s: reply %d to chat %s not recorded (%s: %s)", update_id, i, chat_id,
                      type(exc).__name__, " ".join(str(exc).split())[:200])


def later(runtime: Runtime, key: str, chat_id: int, item: Reply) -> None:
    with runtime.services.db.begin() as session:
        outbox.enqueue(session, outbox.Outgoing(key, chat_id, outbox.payload(item), item.ref))


def link(runtime: Runtime, chat_id: int, message_id: int, ref: str) -> None:
    with runtime.services.db.begin() as session:
        links.link_message(session, chat_id, message_id, ref)
