"""Alerts in Telegram: the /alert and /alerts commands and the preview's buttons, the job that keeps
the delivery engine running, and the sender's progress message (sent once, then edited)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from telegram import Bot
from telegram.error import BadRequest, RetryAfter
from telegram.ext import Application, BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.channels.telegram import render
from bot.channels.telegram.runtime import handle
from bot.core.alerts_delivery import AlertEngine, ShowProgress
from bot.core.pace import Pacer
from bot.services import Services
from bot.store import faults

log = logging.getLogger(__name__)

TICK_SECONDS = 1.0  # how soon a confirmed alert (or one left by a restart) starts going out
BUTTONS = r"^alert:(go|no):\d+$"
GONE = ("message to edit not found", "message can't be edited")


def handlers() -> list[BaseHandler]:
    return [CommandHandler(["alert", "alerts"], handle), CallbackQueryHandler(handle, pattern=BUTTONS)]


def setup(
    app: Application, services: Services, pacer: Pacer, holding: Callable[[], bool] = lambda: True
) -> AlertEngine:
    """The delivery engine, sending through the pacer the outbox shares (its slot taken by the engine,
    which records a send as started only then); `holding`: this worker holds the send lease."""
    send = pacer.pausing(lambda chat_id, reply: render.deliver(app.bot, chat_id, reply))
    rate = services.settings.telegram.overall_per_second
    engine = AlertEngine(
        services, send, progress_shower(app.bot, pacer), rate=rate, gate=pacer.slot, holding=holding
    )
    app.bot_data["alerts"] = engine
    return engine


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The alerts job: start the engine when it is idle; it runs until nothing is due.

    A plain task, not `Application.create_task`: stopping the bot must not wait for a whole
    county's alert to go out. `stop()` ends it cleanly instead."""
    engine: AlertEngine = context.application.bot_data["alerts"]
    if engine.running or not engine.holding():  # another worker holds the send lease: it sends
        return
    task = asyncio.create_task(engine.run(), name="alerts")
    tasks: set[asyncio.Task[int]] = context.application.bot_data.setdefault("alert_tasks", set())
    tasks.add(task)
    task.add_done_callback(finished)
    task.add_done_callback(tasks.discard)


def finished(task: asyncio.Task[int]) -> None:
    if task.cancelled() or (error := task.exception()) is None:
        return
    if faults.transient(error):  # the next tick starts it again
        log.warning("the alert engine paused: database unavailable: %s", faults.describe(error))
    else:
        log.error("the alert engine stopped on an error", exc_info=error)


async def stop(app: Application) -> None:
    """Before the bot's connection closes: record the sends under way, leave the rest for a restart."""
    engine: AlertEngine | None = app.bot_data.get("alerts")
    if engine is not None:
        await engine.stop()


def progress_shower(bot: Bot, pacer: Pacer) -> ShowProgress:
    """Send the progress message once, then edit it (inside the pacer, like every other send)."""

    async def show(chat_id: int, message_id: int | None, text: str) -> int | None:
        async with pacer.slot(chat_id):
            try:
                if message_id is None:
                    return (await bot.send_message(chat_id, text)).message_id
                await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
            except RetryAfter as exc:
                pacer.limited(chat_id, render.retry_after_seconds(exc))
            except BadRequest as exc:
                if any(words in str(exc).lower() for words in GONE):
                    return None  # deleted by the sender: a new one next time
                if "not modified" not in str(exc).lower():
                    raise
            return message_id

    return show
