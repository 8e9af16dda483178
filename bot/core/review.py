"""`/review` for administrators: the questions the bot could not answer (or barely), one at a time,
with the three likeliest intents as buttons, "out of scope" and "skip". A choice adds the question
to faq/reviewed.yaml through bot/review.py (refused with the reasons when `faq validate` would
report a conflict), reloads the FAQ here and, through `Outcome.reloaded`, in the channel's
process, and has the confidence calibrated again in the background."""

from __future__ import annotations

import logging
from dataclasses import replace

from bot import review
from bot.core import inputs
from bot.core.turn import Turn
from bot.core.types import Button, Outcome, Reply
from bot.errors import FaqError, NotAllowed
from bot.store import reviews
from bot.store.models_outreach import AskedQuestion
from bot.store.types import utcnow

log = logging.getLogger(__name__)

PREFIX = "rv"
OOS, SKIP = "oos", "skip"
TOP = 3  # intents offered as buttons


def admin_only(turn: Turn, what: str) -> None:
    if not turn.is_admin:
        log.warning("refused user=%s %s: not an admin", turn.msg.user_id, what)
        raise NotAllowed("admin.only")


def on_review(turn: Turn) -> Outcome:
    admin_only(turn, "command=review")
    return Outcome((next_question(turn),))


def next_question(turn: Turn) -> Reply:
    """The oldest question waiting for review, with its buttons; or "nothing left"."""
    question = reviews.next_pending(turn.session, turn.services.settings.matcher.threshold)
    if question is None:
        return Reply(turn.say("review.none"))
    knowledge = turn.services.knowledge()  # a choice just made may have reloaded it
    faq, match = knowledge.faq, knowledge.matcher.match(question.text)
    likely = [i for i in (*match.suggestions, *(c for c, _ in match.candidates)) if i in faq.intents]
    rows = [(Button(faq[i].title.get(turn.lang), f"{PREFIX}:{question.id}:{i}"),) for i in dict.fromkeys(likely)]
    last = (
        Button(turn.say("button.review_oos"), f"{PREFIX}:{question.id}:{OOS}"),
        Button(turn.say("button.review_skip"), f"{PREFIX}:{question.id}:{SKIP}"),
    )
    text = turn.say("review.question", number=question.id, text=question.text, was=was(turn, question))
    return Reply(text, (*rows[:TOP], last))


def was(turn: Turn, question: AskedQuestion) -> str:
    """What the bot did with it: fell back, or answered with which intent and how sure."""
    intent = turn.knowledge.faq.get(question.intent)
    if question.fallback or intent is None:
        return turn.say("review.was_fallback")
    return turn.say("review.was_answered", title=intent.title.get(turn.lang), score=f"{question.score:.2f}")


def on_choice(turn: Turn) -> Outcome:
    """`rv:<question id>:<intent id|oos|skip>`."""
    admin_only(turn, "button=review")
    _, _, rest = (turn.msg.button or "").partition(":")
    number, _, choice = rest.partition(":")
    question_id = inputs.number(number)
    question = reviews.get(turn.session, question_id) if question_id and inputs.findable(question_id) else None
    if question is None or not (choice in (OOS, SKIP) or choice in turn.knowledge.faq.intents):
        log.warning("review: a button that no question has from user=%s", turn.msg.user_id)
        return turn.reply("review.unknown")
    if question.review is not None:
        return Outcome((Reply(turn.say("review.already", number=question.id)), next_question(turn)))
    who = f"telegram:{turn.msg.user_id}"
    if choice == SKIP:
        reviews.mark(turn.session, question, reviews.SKIP, who)
        return Outcome((Reply(turn.say("review.skipped", number=question.id)), next_question(turn)))
    label = review.Label(question.text, review.OUT if choice == OOS else choice, who, utcnow())
    result = review.add(turn.services.settings, [label])
    if result.refused:
        reasons = "\n".join(result.refused[0][1])
        log.info("review: question %s as %s refused: %s", question.id, label.intent, reasons)
        return Outcome((Reply(turn.say("review.refused", reasons=reasons)), next_question(turn)))
    reviews.mark(turn.session, question, label.intent, who)
    holder = turn.services.knowledge
    try:
        holder.reload()
    except FaqError as exc:  # written by hand meanwhile: the admin hears what is wrong, the last good FAQ stays
        return turn.reply("admin.reload_failed", problems="\n".join(exc.problems[:10]))
    review.CALIBRATOR.later(turn.services.settings, holder.reload)
    title = turn.say("review.oos") if choice == OOS else holder().faq[choice].title.get(turn.lang)
    added = Reply(turn.say("review.added", number=question.id, title=title))
    return replace(Outcome((added, next_question(turn))), reloaded=True)


COMMANDS = {"review": on_review}
BUTTONS = {PREFIX: on_choice}
