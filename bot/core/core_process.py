"""The conversation core in a process of its own, beside the channel's event loop.

Why: one Python process runs one thread at a time. A message costs about 3 ms in the core (the
matcher and the SQL) and about as much in the channel (python-telegram-bot parsing the update,
sending the reply). In one process the two queue behind each other on one core; with the core in
its own process the machine's second core takes half the work (benchmarks/bot_load.py, README).

The child builds its own services from the same settings (its own FAQ, matcher and database
engine) and answers `Incoming` with `Outcome`, both plain picklable values. A child that dies is
replaced, and the message it was given goes to the new one.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.core.conversation import Conversation
from bot.core.types import Incoming, Outcome
from bot.settings import Settings

log = logging.getLogger(__name__)

_conversation: Conversation | None = None  # the child's, built once by _start


class CoreCrashed(RuntimeError):
    """The core's process died while handling a message (a bug, or killed from outside)."""


def _start(settings: Settings, log_level: int) -> None:
    """In the child: logging as the parent's, and the services built once."""
    from bot.logs import setup_logging
    from bot.services import KnowledgeHolder, Services
    from bot.store import db
    from intents import tokens

    global _conversation
    # Ctrl-C in a terminal reaches the whole process group: the parent stops this child itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    setup_logging(log_level)
    engine = db.make_engine(settings.database)  # the parent has migrated it already
    _conversation = Conversation(Services(settings, KnowledgeHolder(settings), db.session_factory(engine)))
    tokens.warm_up()


def _handle(msg: Incoming) -> Outcome:
    assert _conversation is not None, "the core process was not started"
    return _conversation.handle(msg)


def _ready() -> bool:
    return _conversation is not None


class CoreProcess:
    """`await core.answer(msg)`: the conversation core's answer, computed in the child process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn, not fork: the parent runs threads (the loop's executor, the job queue)
                context = multiprocessing.get_context("spawn")
                level = logging.getLogger().getEffectiveLevel()
                self._pool = ProcessPoolExecutor(1, context, initializer=_start, initargs=(self.settings, level))
            return self._pool

    async def start(self) -> None:
        """Start the child and wait until its services are built (so the first message is not slow)."""
        await asyncio.wrap_future(self._executor().submit(_ready))

    async def answer(self, msg: Incoming) -> Outcome:
        """The outcome from the child. A child found dead is replaced and the message handed to the
        new one, once: handling is idempotent (a turn that had committed is recognised by its
        update id), and a message that kills two children in a row is a bug for the error handler."""
        try:
            return await self._once(msg)
        except BrokenProcessPool:
            pass
        try:
            return await self._once(msg)
        except BrokenProcessPool as exc:
            raise CoreCrashed("the core process died twice on one message") from exc

    async def _once(self, msg: Incoming) -> Outcome:
        """One try in the current child; a broken pool is dropped before the error goes up."""
        pool = self._executor()
        try:
            return await asyncio.wrap_future(pool.submit(_handle, msg))
        except BrokenProcessPool:
            self._replace(pool)
            raise

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:
                self._pool = None
        broken.shutdown(wait=False, cancel_futures=True)
        log.error("the core process died; starting a new one")

    def stop(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=False)
