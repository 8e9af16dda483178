"""The alert sender: delivers confirmed alerts to every recipient exactly once, at the pace it is
given, and keeps the sender's progress message current. Like the outbox dispatcher it knows
nothing of Telegram: the channel gives it a (paced) `send` and a `show` for the progress message.

Survives restarts: the recipients are rows in the database, claimed a batch at a time with a
lease; a clean stop finishes and records the sends under way and gives back the rest, and a
crash leaves claimed rows to be taken again when their lease ends.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from bot import metrics
from bot.core import alert_texts
from bot.core.alert_texts import Words
from bot.core.dispatch import Blocked, Delivery, RetryLater, Sender, Sent, waited
from bot.core.types import Reply
from bot.services import Services
from bot.store import alerts, citizens, outbox
from bot.store.alerts import Counts, Due
from bot.store.models_outreach import Alert
from bot.store.types import utcnow
from intents.faq import Faq

log = logging.getLogger(__name__)

# (chat, message to edit or None for a new one, text) -> the message's id, None if it is gone
ShowProgress = Callable[[int, int | None, str], Awaitable[int | None]]
# a chat's turn to be sent to (the pacer's slot): the send is recorded as started only once it is here
Gate = Callable[[int], AbstractAsyncContextManager[object]]

PROGRESS_EVERY = 3.0  # seconds between two edits of a progress message (Telegram frowns on more)
LOOK_EVERY = 1.0  # seconds between two looks at the jobs' counts (finishing, progress)
TICK = 0.05
LEASE_MARGIN = 10.0  # a row held this close to the end of its lease is left for the next claim


@dataclass
class Job:
    """What the engine keeps of one alert while it goes out."""

    id: int
    words: Words
    photo: str | None
    label: str
    lang: str  # the sender's
    chat_id: int | None  # where the progress is shown
    message_id: int | None
    seen_at: float = 0.0  # when this engine first saw it, and how many were finished then (for the ETA)
    seen_finished: int = -1
    shown_at: float = field(default=-1e9)
    shown: str = ""
    last: str = ""  # the finished job's last words, shown once the edit pace allows


class AlertEngine:
    """Claims due recipients, sends with `parallel` workers through `send`, records each answer."""

    def __init__(
        self,
        services: Services,
        send: Sender,
        show: ShowProgress | None = None,
        *,
        parallel: int = 10,
        batch: int = 60,
        rate: float = 30.0,
        progress_every: float = PROGRESS_EVERY,
        clock: Callable[[], float] = time.monotonic,
        gate: Gate | None = None,
        holding: Callable[[], bool] = lambda: True,
    ) -> None:
        self.services = services
        self.send = send  # through `gate` when one is given, so not paced again
        self.gate: Gate = gate or (lambda _chat: nullcontext())
        # False: another worker holds the send lease (bot/core/send_lease.py): claim nothing more, start no send
        self.holding = holding
        self.show = show
        self.parallel = parallel
        self.batch = batch
        self.rate = rate  # the expected pace, for the first ETA
        self.progress_every = progress_every
        self.lease = alerts.CLAIM_LEASE
        self.retry_base = alerts.BACKOFF_BASE
        self.clock = clock
        self.sent = 0
        self.jobs: dict[int, Job] = {}
        self._held: set[int] = set()  # claimed rows in this process: never queued twice
        self._busy = 0
        self._looked_at = -1e9
        self._stopping = False
        self._lock = asyncio.Lock()

    @property
    def running(self) -> bool:
        return self._lock.locked()

    @property
    def faq(self) -> Faq:
        return self.services.knowledge().faq

    async def run(self) -> int:
        """Send until nothing is due (or `stop()`); returns how many messages went out."""
        if self._lock.locked() or self._stopping:
            return 0
        async with self._lock:
            before = self.sent
            queue: asyncio.Queue[tuple[Due, float] | None] = asyncio.Queue()
            workers = [asyncio.create_task(self._worker(queue)) for _ in range(self.parallel)]
            try:
                await self._feed(queue)
            finally:
                await self._wind_down(queue, workers)
            await self._look(now=True)
            return self.sent - before

    async def stop(self) -> None:
        """Stop for good: the sends under way finish and are recorded, the rest wait for a restart."""
        self._stopping = True
        async with self._lock:
            pass

    async def _feed(self, queue: asyncio.Queue[tuple[Due, float] | None]) -> None:
        while not self._stopping and self.holding():
            if queue.qsize() < self.batch // 2:
                claimed = await asyncio.to_thread(self._claim)
                for due in claimed:
                    queue.put_nowait((due, self.clock()))
                if not claimed and queue.empty() and not self._busy:
                    break
            await self._look()
            await asyncio.sleep(TICK)

    async def _wind_down(
        self, queue: asyncio.Queue[tuple[Due, float] | None], workers: list[asyncio.Task[None]]
    ) -> None:
        """Let the sends under way finish and be recorded; give back what was claimed but not sent."""
        for _ in workers:
            queue.put_nowait(None)
        await asyncio.gather(*workers, return_exceptions=True)
        unsent = sorted(self._held)
        await asyncio.to_thread(self._release, unsent)
        self._held.clear()

    async def _worker(self, queue: asyncio.Queue[tuple[Due, float] | None]) -> None:
        while (item := await queue.get()) is not None:
            due, claimed_at = item
            if self._stopping or not self.holding():
                continue  # stays held: given back when the workers are done
            if self.clock() - claimed_at >= self.lease.total_seconds() - LEASE_MARGIN:
                self._held.discard(due.id)  # held too long (a long flood wait): the next claim takes it
                continue
            self._busy += 1
            try:
                await self._deliver(due)
            except Exception:  # one bad row must not stop the others
                log.exception("alert #%d: delivery %d failed", due.alert_id, due.id)
            finally:
                self._busy -= 1
                self._held.discard(due.id)

    async def _deliver(self, due: Due) -> None:
        job = self.jobs.get(due.alert_id)
        if job is None:
            job = await asyncio.to_thread(self._load_job, due.alert_id)
        shown = alert_texts.group_reply if due.group else alert_texts.villager_reply
        reply = shown(self.faq, job.words, due.lang, job.photo)
        # recorded before the call, finished after: a crash in between leaves `sending_since`, and the
        # next claim gives the row up rather than send the alert twice (alerts go at most once). Recorded
        # once the pacer's slot is ours, not before waiting for it: a worker killed -9 then leaves only
        # the sends really under way unknown, not the ten or so waiting their turn (lost, before)
        async with self.gate(due.chat_id):
            if self._stopping or not self.holding():
                await asyncio.to_thread(self._release, [due.id])  # not tried: due again at once
                return
            await asyncio.to_thread(self._start, due.id)
            result = await self.send(due.chat_id, reply)
        await asyncio.to_thread(self._record, due, result)
        if isinstance(result, Sent):
            self.sent += 1

    def _claim(self) -> list[Due]:
        with self.services.db.begin() as session:
            claimed = [
                d for d in alerts.claim_due(session, limit=self.batch, lease=self.lease) if d.id not in self._held
            ]
            for alert_id in {d.alert_id for d in claimed} - self.jobs.keys():
                self.jobs[alert_id] = self._job(session, alerts.get(session, alert_id))
        self._held.update(d.id for d in claimed)
        return claimed

    def _start(self, delivery_id: int) -> None:
        with self.services.db.begin() as session:
            alerts.start(session, delivery_id)

    def _record(self, due: Due, result: Delivery) -> None:
        settings = self.services.settings.telegram
        unknown = isinstance(result, RetryLater) and result.unknown
        metrics.note("alert_deliveries", "unknown" if unknown else type(result).__name__.lower())  # sent, retrylater..
        with self.services.db.begin() as session:
            if isinstance(result, Sent):
                alerts.mark_sent(session, due.id)
            elif isinstance(result, RetryLater) and result.unknown:
                log.warning("alert #%d to chat %d: outcome unknown (%s); not sent again", due.alert_id, due.chat_id,
                            result.error)
                alerts.mark_unknown(session, due.id, result.error)
            elif isinstance(result, RetryLater):
                log.warning("alert #%d to chat %d: %s%s; retrying", due.alert_id, due.chat_id, result.error,
                            waited(result))
                alerts.reschedule(
                    session,
                    due.id,
                    result.error,
                    retry_after=result.after,
                    max_attempts=settings.max_send_attempts,
                    backoff=self.retry_base,
                )
            elif isinstance(result, Blocked):
                log.info("alert #%d: chat %d blocked or removed the bot: %s", due.alert_id, due.chat_id, result.error)
                alerts.mark_blocked(session, due.chat_id, result.error)
            else:
                log.error("alert #%d to chat %d: %s; not retried", due.alert_id, due.chat_id, result.error)
                alerts.mark_failed(session, due.id, result.error)

    def _load_job(self, alert_id: int) -> Job:
        with self.services.db() as session:
            job = self.jobs[alert_id] = self._job(session, alerts.get(session, alert_id))
            return job

    def _release(self, delivery_ids: list[int]) -> None:
        with self.services.db.begin() as session:
            alerts.release(session, delivery_ids)

    def _job(self, session: Session, alert: Alert | None) -> Job:
        assert alert is not None, "a claimed row's alert exists (foreign key)"
        villages = alerts.scope_villages(session, alert.scope) or []
        sender = citizens.by_user_id(session, alert.created_by)
        lang = sender.lang if sender else self.services.settings.app.default_lang
        label = alert_texts.scope_label(self.faq, alert.scope, villages, lang)
        words = Words(alert.text_zh, alert.text_en)
        return Job(alert.id, words, alert.photo, label, lang, alert.progress_chat_id, alert.progress_message_id)

    # -- progress -----------------------------------------------------------------------------

    async def _look(self, now: bool = False) -> None:
        """Every second or so: finish the jobs with nobody left, show the others' progress."""
        if not now and self.clock() - self._looked_at < LOOK_EVERY:
            return
        self._looked_at = self.clock()
        for job, counts, took in await asyncio.to_thread(self._snapshot):
            if took is not None:
                job.last = alert_texts.finished(self.faq, job.lang, "alert.done", job.id, job.label, counts, took)
            elif self.clock() - job.shown_at >= self.progress_every:
                text = alert_texts.progress(self.faq, job.lang, job.id, job.label, counts, self._eta(job, counts))
                await self._show(job, text)
        for job in [j for j in self.jobs.values() if j.last]:
            if self.clock() - job.shown_at >= self.progress_every:  # the last edit keeps the pace too
                await self._show(job, job.last)
                del self.jobs[job.id]

    def _snapshot(self) -> list[tuple[Job, Counts, float | None]]:
        """Each job under way with its counts; a finished one is marked done and its final count
        queued in the outbox in the same transaction (so it is said once, whoever notices first)."""
        found: list[tuple[Job, Counts, float | None]] = []
        with self.services.db.begin() as session:
            for alert in alerts.sending(session):
                job = self.jobs.get(alert.id) or self._job(session, alert)
                self.jobs[alert.id] = job
                counts = alerts.counts(session, alert.id)
                took = None
                if not counts.pending and alerts.finish(session, alert.id):
                    took = (utcnow() - (alert.started_at or alert.created_at)).total_seconds()
                    self._queue_final(session, job, counts, took)
                found.append((job, counts, took))
        return found

    def _queue_final(self, session: Session, job: Job, counts: Counts, took: float) -> None:
        log.info("alert #%d done: %d sent, %d failed, %d blocked", job.id, counts.sent, counts.failed, counts.blocked)
        if job.chat_id is None:
            return
        text = alert_texts.finished(self.faq, job.lang, "alert.final", job.id, job.label, counts, took)
        outbox.enqueue(session, outbox.Outgoing(f"alert:{job.id}:final", job.chat_id, outbox.payload(Reply(text))))

    def _eta(self, job: Job, counts: Counts) -> float | None:
        """Seconds to go, from the pace this engine has kept on this job (the expected pace at first)."""
        now = self.clock()
        if job.seen_finished < 0:
            job.seen_at, job.seen_finished = now, counts.finished
        elapsed, done = now - job.seen_at, counts.finished - job.seen_finished
        pace = done / elapsed if elapsed >= 2.0 and done > 0 else self.rate
        return counts.pending / pace if pace > 0 else None

    async def _show(self, job: Job, text: str) -> None:
        if self.show is None or job.chat_id is None or text == job.shown:
            return
        try:
            message_id = await self.show(job.chat_id, job.message_id, text)
        except Exception:  # progress is a courtesy: it never stops the sending
            log.warning("alert #%d: could not show progress", job.id, exc_info=True)
            return
        job.shown_at, job.shown = self.clock(), text
        if message_id != job.message_id:
            job.message_id = message_id
            await asyncio.to_thread(self._remember_message, job.id, message_id)

    def _remember_message(self, alert_id: int, message_id: int | None) -> None:
        with self.services.db.begin() as session:
            alerts.set_progress_message(session, alert_id, message_id)
