"""`/review` for administrators: the questions the bot could not answer (or barely), one at a time,
with the three likeliest intents as buttons, "out of scope" and "skip". A choice adds the question
to faq/reviewed.yaml through bot/review.py (refused with the reasons when `faq validate` would
report a conflict), reloads the FAQ and has the confidence calibrated again in the background.

The check and the reload take seconds (the conflict report over every example on a copy of the
FAQ, then the matcher rebuilt), so they run in a thread of their own (`WORKER`), one choice at a
time, never in the turn: on SQLite a turn holds the one write lock from its start, and a choice
checked inside it kept every villager's answer, and the channel's inbox, waiting 4–7 s. The turn
answers at once ("checking…"); the worker then, in a short transaction of its own, marks the
question and queues the result for the admin in the outbox ("added as…" or "refused: reasons",
then the next question with its buttons), which the channel's dispatcher sends at its next tick.
A second choice on a question whose check is under way (the same masked words) is told so and adds
nothing.

The two processes (bot/core/core_process.py): the worker runs in the core's process and reloads the
core's FAQ, which answers every question. The channel's process holds a copy too, for texts (which
a review never changes: it only adds examples) and as the FAQ a replacement core process is given.
It follows at the admin's next review turn (`/review`, or the next question's button, which the
result carries): that turn's `Outcome.reloaded` makes the channel reload its copy. Until then a
core process that died would come back without the newest examples (still on disk; `/reload`
takes them too)."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable

from sqlalchemy.orm import Session

from bot import review
from bot.core import inputs
from bot.core.turn import Turn
from bot.core.types import Button, Outcome, Reply
from bot.errors import FaqError, NotAllowed
from bot.services import Services
from bot.store import outbox, reviews
from bot.store.models_outreach import AskedQuestion
from bot.store.types import utcnow

log = logging.getLogger(__name__)

PREFIX = "rv"
OOS, SKIP = "oos", "skip"
TOP = 3  # intents offered as buttons


class Worker:
    """The choices' checks in a thread of their own, one at a time, in the order they were made.
    Each has a key (the question's words): a key whose check is under way is not taken again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._jobs: deque[tuple[str, Callable[[], object]]] = deque()
        self._busy: set[str] = set()
        self._thread: threading.Thread | None = None
        self._reloaded = False  # the FAQ was reloaded here since a turn last told the channel

    def start(self, key: str, job: Callable[[], object]) -> bool:
        """Run `job` after the others; False (and nothing done) while a job with `key` is pending."""
        with self._lock:
            if key in self._busy:
                return False
            self._busy.add(key)
            self._jobs.append((key, job))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="review", daemon=True)
                self._thread.start()
        return True

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._jobs:
                    self._thread = None
                    self._idle.notify_all()
                    return
                key, job = self._jobs.popleft()
            try:
                job()
            except Exception:  # noqa: BLE001 - a thread of its own: logged, the next choice still runs
                log.exception("review: a choice's check failed")
            finally:
                with self._lock:
                    self._busy.discard(key)

    def busy(self, key: str) -> bool:
        with self._lock:
            return key in self._busy

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the choices made so far; False when still running after `timeout`."""
        with self._lock:
            return self._idle.wait_for(lambda: self._thread is None, timeout)

    def reloaded(self) -> None:
        with self._lock:
            self._reloaded = True

    def tell(self) -> bool:
        """True once after a reload here: the turn says so to a channel in another process."""
        with self._lock:
            told, self._reloaded = self._reloaded, False
            return told


WORKER = Worker()  # one per process: the choices of every admin, one after the other


def admin_only(turn: Turn, what: str) -> None:
    if not turn.is_admin:
        log.warning("refused user=%s %s: not an admin", turn.msg.user_id, what)
        raise NotAllowed("admin.only")


def on_review(turn: Turn) -> Outcome:
    admin_only(turn, "command=review")
    return Outcome((next_question(turn.session, turn.services, turn.lang),), reloaded=WORKER.tell())


def next_question(session: Session, services: Services, lang: str) -> Reply:
    """The oldest question waiting for review, with its buttons; or "nothing left"."""
    knowledge = services.knowledge()  # a choice just made may have reloaded it
    say = knowledge.faq.message
    question = reviews.next_pending(session, services.settings.matcher.threshold)
    if question is None:
        return Reply(say("review.none", lang))
    faq, match = knowledge.faq, knowledge.matcher.match(question.text)
    likely = [i for i in (*match.suggestions, *(c for c, _ in match.candidates)) if i in faq.intents]
    rows = [(Button(faq[i].title.get(lang), f"{PREFIX}:{question.id}:{i}"),) for i in dict.fromkeys(likely)]
    last = (
        Button(say("button.review_oos", lang), f"{PREFIX}:{question.id}:{OOS}"),
        Button(say("button.review_skip", lang), f"{PREFIX}:{question.id}:{SKIP}"),
    )
    text = say("review.question", lang, number=question.id, text=question.text, was=was(services, question, lang))
    return Reply(text, (*rows[:TOP], last))


def was(services: Services, question: AskedQuestion, lang: str) -> str:
    """What the bot did with it: fell back, or answered with which intent and how sure."""
    faq = services.knowledge().faq
    intent = faq.get(question.intent)
    if question.fallback or intent is None:
        return faq.message("review.was_fallback", lang)
    return faq.message("review.was_answered", lang, title=intent.title.get(lang), score=f"{question.score:.2f}")


def on_choice(turn: Turn) -> Outcome:
    """`rv:<question id>:<intent id|oos|skip>`: skip at once, a label checked and added by `WORKER`."""
    admin_only(turn, "button=review")
    _, _, rest = (turn.msg.button or "").partition(":")
    number, _, choice = rest.partition(":")
    question_id = inputs.number(number)
    question = reviews.get(turn.session, question_id) if question_id and inputs.findable(question_id) else None
    if question is None or not (choice in (OOS, SKIP) or choice in turn.knowledge.faq.intents):
        log.warning("review: a button that no question has from user=%s", turn.msg.user_id)
        return turn.reply("review.unknown")
    told = WORKER.tell()
    if question.review is not None:
        replies = (Reply(turn.say("review.already", number=question.id)), next_question(*about(turn)))
        return Outcome(replies, reloaded=told)
    who = f"telegram:{turn.msg.user_id}"
    if choice == SKIP:
        if WORKER.busy(question.text):  # its check is under way: no skipping it now
            return Outcome((Reply(turn.say("review.pending", number=question.id)),), reloaded=told)
        reviews.mark(turn.session, question, reviews.SKIP, who)
        replies = (Reply(turn.say("review.skipped", number=question.id)), next_question(*about(turn)))
        return Outcome(replies, reloaded=told)
    label = review.Label(question.text, review.OUT if choice == OOS else choice, who, utcnow())
    where = (turn.services, turn.msg.chat_id, turn.lang, question.id)
    if not WORKER.start(question.text, lambda: settle(*where, label)):
        return Outcome((Reply(turn.say("review.pending", number=question.id)),), reloaded=told)
    log.info("review: question %s as %s: checked in the background", question.id, label.intent)
    return Outcome((Reply(turn.say("review.checking", number=question.id)),), reloaded=told)


def about(turn: Turn) -> tuple[Session, Services, str]:
    return turn.session, turn.services, turn.lang


def settle(services: Services, chat_id: int, lang: str, question_id: int, label: review.Label) -> None:
    """`WORKER`'s job for one choice, outside any turn: check and add it (seconds), reload the FAQ
    (seconds), then in one short transaction mark the question and queue for the admin the result
    and the next question."""
    result = review.add(services.settings, [label])
    if result.refused:
        reasons = "\n".join(result.refused[0][1])
        log.info("review: question %s as %s refused: %s", question_id, label.intent, reasons)
        told, reloaded = services.knowledge().faq.message("review.refused", lang, reasons=reasons), False
    else:
        told, reloaded = reload(services, lang, question_id, label)
    if reloaded:
        WORKER.reloaded()  # before the admin can hear of it: their next review turn tells the channel
    with services.db.begin() as session:
        question = reviews.get(session, question_id)
        if not result.refused and question is not None:
            reviews.mark(session, question, label.intent, label.who)
        key = f"review:{question_id}:{label.when.isoformat()}"
        for i, reply in enumerate((Reply(told), next_question(session, services, lang))):
            outbox.enqueue(session, outbox.Outgoing(f"{key}:{i}", chat_id, outbox.payload(reply)))
    if reloaded:
        review.CALIBRATOR.later(services.settings, services.knowledge.reload)


def reload(services: Services, lang: str, question_id: int, label: review.Label) -> tuple[str, bool]:
    """The FAQ with the new example loaded: what to tell the admin, and whether it worked."""
    try:
        faq = services.knowledge.reload().faq
    except FaqError as exc:  # written by hand meanwhile: the admin hears what is wrong, the last good FAQ stays
        problems = "\n".join(exc.problems[:10])
        return services.knowledge().faq.message("admin.reload_failed", lang, problems=problems), False
    intent = faq.get(label.intent)
    title = faq.message("review.oos", lang) if label.intent == review.OUT or intent is None else intent.title.get(lang)
    return faq.message("review.added", lang, number=question_id, title=title), True


COMMANDS = {"review": on_review}
BUTTONS = {PREFIX: on_choice}
