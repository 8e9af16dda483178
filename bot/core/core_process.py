"""The conversation core in a process of its own, beside the channel's event loop.

Why: one Python process runs one thread at a time. A message costs a few milliseconds in the core
(the matcher and the SQL) and about as much in the channel (python-telegram-bot parsing the
update, sending the reply). In one process the two queue behind each other on one core; with the
core in its own process the machine's second core takes half the work (benchmarks/bot_load.py).

The child builds its own services from the same settings (its own matcher and database engine)
and answers `Incoming` with `Outcome`, both plain picklable values, over a socket pair:
each frame is a header (payload length, request id) and a pickle. The parent reads the socket on
its event loop. Why not `ProcessPoolExecutor`: its manager and feeder threads cost the parent
about 0.4 ms of CPU a message, and this costs about 0.05 ms.

A child that dies is replaced, and the messages it had been given go to the new one, once.

The FAQ: each child is given the last good FAQ (and scam rules) the channel holds, already read and
checked, rather than reading the files itself. An administrator halfway through editing the FAQ
leaves it broken on disk for a while; a child that died then would otherwise fail to start, and the
bot would answer nobody although the channel had a good FAQ in hand. The FAQ in use thus changes
only with `/reload` (which keeps the old one, and tells the admin why, when the new one is broken).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import pickle
import signal
import socket
import struct
import traceback
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any

from bot import metrics
from bot.core.types import Incoming, Outcome
from bot.errors import DatabaseDown
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.services import Knowledge
    from intents.faq import Faq
    from intents.scamcheck import ScamChecker

    Snapshot = tuple[Faq, ScamChecker]  # the last good FAQ and scam checker, as the channel loaded them

log = logging.getLogger(__name__)

FRAME = struct.Struct("!IQ")  # payload length, request id (0: the child's "ready")
STOP_SECONDS = 10.0  # for the child to finish its message and close its database


class CoreCrashed(RuntimeError):
    """The core's process died while handling a message (a bug, or killed from outside)."""


class CoreFailed(RuntimeError):
    """The core raised while handling a message: its traceback, as text, for the error handler."""


class _Lost(Exception):
    """The child went away before answering."""


def _serve(sock: socket.socket, settings: Settings, log_level: int, snapshot: Snapshot | None = None) -> None:
    """The child: build the services once (from `snapshot`, else the FAQ on disk), say ready, then
    answer each frame until the parent hangs up."""
    # Ctrl-C in a terminal reaches the whole process group: the parent stops this child itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from bot.core.conversation import Conversation
    from bot.logs import about, setup_logging
    from bot.services import Knowledge, KnowledgeHolder, Services
    from bot.store import db
    from intents import tokens

    setup_logging(log_level, settings.app.log_format)
    engine = db.make_engine(settings.database)  # the parent has migrated it already
    knowledge = KnowledgeHolder(settings, Knowledge.of(settings, *snapshot) if snapshot is not None else None)
    conversation = Conversation(Services(settings, knowledge, db.session_factory(engine)))
    tokens.warm_up()
    try:
        sock.sendall(FRAME.pack(0, 0))
        with sock, sock.makefile("rb") as stream:
            while len(head := stream.read(FRAME.size)) == FRAME.size:
                size, request = FRAME.unpack(head)
                msg: Incoming = pickle.loads(stream.read(size))
                try:
                    with about(msg.update_id):
                        # the outcome and what the turn noted, counted by the parent (bot/metrics.py)
                        result: tuple[bool | None, Any] = (True, metrics.collected(conversation.handle, msg))
                except DatabaseDown as exc:  # a passing fault: the parent tries the message again later
                    result = (None, str(exc))
                except Exception:  # a bug: the parent's error handler logs it and apologises to the user
                    result = (False, traceback.format_exc())
                data = pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
                sock.sendall(FRAME.pack(len(data), request) + data)
    except (BrokenPipeError, ConnectionResetError):
        # the parent died (killed) before taking the answer: its next start handles the update again
        log.info("the bot's process is gone: the core stops")
    finally:
        engine.dispose()


class _Child:
    """One child process and the parent's end of its socket; `ask` sends a message, awaits its outcome."""

    def __init__(self, process: BaseProcess, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.process = process
        self.reader = reader
        self.writer = writer
        self.pending: dict[int, asyncio.Future[tuple[bool | None, Any]]] = {}
        self.next_id = 1
        self.alive = True
        self.stopping = False
        self.listener = asyncio.create_task(self._listen())

    @classmethod
    async def spawn(cls, settings: Settings, snapshot: Snapshot | None = None) -> _Child:
        mine, theirs = socket.socketpair()
        # spawn, not fork: the parent runs threads (the loop's executor, the job queue)
        context = multiprocessing.get_context("spawn")
        level = logging.getLogger().getEffectiveLevel()
        args = (theirs, settings, level, snapshot)
        process = context.Process(target=_serve, args=args, name="cunjing-core", daemon=True)
        process.start()
        theirs.close()
        reader, writer = await asyncio.open_unix_connection(sock=mine)
        try:
            await reader.readexactly(FRAME.size)  # ready: its services are built
        except asyncio.IncompleteReadError as exc:
            writer.close()
            await asyncio.to_thread(process.join, STOP_SECONDS)
            raise CoreCrashed(f"the core process did not start (exit code {process.exitcode})") from exc
        return cls(process, reader, writer)

    async def ask(self, msg: Incoming) -> Outcome:
        if not self.alive:
            raise _Lost
        data = pickle.dumps(msg, pickle.HIGHEST_PROTOCOL)
        request, self.next_id = self.next_id, self.next_id + 1
        answer = self.pending[request] = asyncio.get_running_loop().create_future()
        try:
            self.writer.write(FRAME.pack(len(data), request) + data)
            await self.writer.drain()
            ok, value = await answer
        except ConnectionError as exc:
            raise _Lost from exc
        finally:
            self.pending.pop(request, None)
        if ok is None:
            raise DatabaseDown(value)
        if not ok:
            raise CoreFailed(f"the core failed on a message:\n{value}")
        outcome: Outcome
        outcome, notes = value
        metrics.count(notes)
        return outcome

    async def _listen(self) -> None:
        """Hand each answer to the message waiting for it; when the child goes, fail the rest."""
        try:
            while True:
                size, request = FRAME.unpack(await self.reader.readexactly(FRAME.size))
                result = pickle.loads(await self.reader.readexactly(size))
                answer = self.pending.get(request)
                if answer is not None and not answer.done():
                    answer.set_result(result)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.alive = False
            if not self.stopping:
                log.error("the core process died; a new one takes its messages")
                metrics.CORE_RESTARTS.inc()
            for answer in self.pending.values():
                if not answer.done():
                    answer.set_exception(_Lost())
            self.writer.close()
        if not self.stopping:  # reap it now: no zombie until the next message
            await self._reap()

    async def _reap(self) -> None:
        await asyncio.to_thread(self.process.join, STOP_SECONDS)
        if self.process.is_alive():
            log.error("the core process did not stop within %s s: killed", STOP_SECONDS)
            self.process.kill()
            await asyncio.to_thread(self.process.join)

    async def stop(self) -> None:
        """Hang up: the child finishes the message in hand, closes its database and exits."""
        self.stopping = self.alive
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()
        await self.listener
        await self._reap()


class CoreProcess:
    """`await core.answer(msg)`: the conversation core's answer, computed in the child process.

    `knowledge`: the channel's FAQ in use (its `KnowledgeHolder`), given to every child it starts."""

    def __init__(self, settings: Settings, knowledge: Callable[[], Knowledge] | None = None) -> None:
        self.settings = settings
        self.knowledge = knowledge
        self._child: _Child | None = None
        self._spawning = asyncio.Lock()

    async def start(self) -> None:
        """Start the child and wait until its services are built (so the first message is not slow)."""
        await self._current()

    async def answer(self, msg: Incoming) -> Outcome:
        """The outcome from the child. A child found dead is replaced and the message handed to the
        new one, once: handling is idempotent (a turn that had committed is recognised by its
        update id), and a message that kills two children in a row is a bug for the error handler."""
        with contextlib.suppress(_Lost):
            return await (await self._current()).ask(msg)
        try:
            return await (await self._current()).ask(msg)
        except _Lost as exc:
            raise CoreCrashed("the core process died twice on one message") from exc

    async def _current(self) -> _Child:
        async with self._spawning:  # many messages find the child gone at once: one new child
            if self._child is None or not self._child.alive:
                if self._child is not None:
                    await self._child.stop()  # reaps the dead one
                self._child = await _Child.spawn(self.settings, self._snapshot())
            return self._child

    def _snapshot(self) -> Snapshot | None:
        """The last good FAQ, for the child: 1 MB pickled, 2 ms of the parent's loop. The matcher is
        rebuilt there from its cache rather than pickled (7 MB, 0.6 s)."""
        if self.knowledge is None:
            return None
        current = self.knowledge()
        return current.faq, current.checker

    async def stop(self) -> None:
        async with self._spawning:
            child, self._child = self._child, None
        if child is not None:
            await child.stop()
