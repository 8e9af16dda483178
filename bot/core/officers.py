"""What officers (and duty desks) do with requests: accept, ask, reply, close, see their queue;
and the photo villagers see of them."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.core import cards, inputs, villagers
from bot.core.turn import Turn
from bot.core.types import Outcome, Reply
from bot.errors import BadArguments, NotAllowed, NotFound
from bot.store import outbox, requests, roster
from bot.store.models import Actor, Request
from bot.store.requests import AcceptResult

log = logging.getLogger(__name__)

ASKING = "officer_asking"
# What closing a request also involves, filled in by the modules concerned (disputes: the outcome is
# asked for first; supervision: the villager is asked to rate), so that this module needs none of them.
BEFORE_DONE: list[Callable[[Turn, Request], Outcome | None]] = []  # an Outcome: asked first, not closed
AFTER_DONE: list[Callable[[Turn, Request], None]] = []


def require_officer(turn: Turn) -> None:
    if turn.officer is None:
        log.warning("refused user=%s command=%s: not a registered officer", turn.msg.user_id, turn.msg.command)
        raise NotAllowed("officer.only")


def number_arg(turn: Turn, command: str) -> int:
    found = inputs.number(turn.msg.args[0]) if turn.msg.args else None
    if found is None:
        raise BadArguments(usage=turn.say("usage.number", command=command))
    return found


def authorised(turn: Turn, request_id: int) -> Request:
    """The request, if this officer may act on it: assigned to its village, or at its town's desk."""
    require_officer(turn)
    assert turn.officer is not None
    request = requests.get(turn.session, request_id) if inputs.findable(request_id) else None
    if request is None:
        raise NotFound(what=turn.say("what.request", number=request_id))
    desk = roster.town_by_duty_chat(turn.session, turn.msg.chat_id)
    at_desk = desk is not None and desk.id == request.village.town_id
    mine = request.officer_id == turn.officer.id
    if not (at_desk or mine or roster.is_assigned(turn.session, turn.officer.id, request.village_id)):
        log.warning("refused officer=%s on request #%s (village %s)", turn.officer.id, request_id, request.village.code)
        raise NotAllowed("officer.not_yours", number=request_id)
    return request


def tell_citizen(
    turn: Turn, request: Request, key: str, text: str, *, at_least_once: bool = False, force_reply: bool = False
) -> bool:
    """A message to the villager about their request, through the outbox, once per `key`; False
    when it is held because the villager blocked the bot (it goes when they write to the bot again)."""
    row = cards.note(f"{requests.ref(request.id)}:{key}", request.citizen.chat_id, text, request.id,
                     at_least_once=at_least_once, force_reply=force_reply)
    held = request.citizen.blocked
    if held:
        log.info("request #%d: the villager blocked the bot; %s held", request.id, key.partition(":")[0])
    turn.queued += outbox.enqueue(turn.session, row, held=held) and not held
    return not held


def accept(turn: Turn, request_id: int) -> Outcome:
    request = authorised(turn, request_id)
    assert turn.officer is not None
    result, fresh = requests.accept(turn.session, request.id, turn.officer.id)
    if result is AcceptResult.ACCEPTED and fresh is not None:
        faq = turn.knowledge.faq
        text = faq.message("notify.accepted", fresh.citizen.lang, number=fresh.id, officer=turn.officer.name)
        tell_citizen(turn, fresh, "accepted", text)
        edits = cards.taken(turn.knowledge, turn.session, fresh, turn.officer, turn.staff_lang)
        turn.queued += sum(outbox.enqueue(turn.session, row) for row in edits)
        return turn.reply("officer.accepted", number=request.id)
    if result is AcceptResult.ALREADY_YOURS:
        return turn.reply("officer.already_yours", number=request.id)
    if result is AcceptResult.TAKEN and fresh is not None:
        taker = roster.officer(turn.session, fresh.officer_id) if fresh.officer_id else None
        return turn.reply("officer.taken", number=request.id, officer=cards.officer_name(taker))
    return turn.reply("officer.closed", number=request.id)


def ask(turn: Turn, request_id: int) -> Outcome:
    """The Ask-for-details button: the officer's next message goes to the villager."""
    request = authorised(turn, request_id)
    if request.status in requests.CLOSED:
        return turn.reply("officer.closed", number=request.id)
    turn.set_state(ASKING, request=request.id)
    return Outcome((Reply(turn.say("officer.ask_prompt", number=request.id), force_reply=not turn.msg.in_group),))


def relay_to_citizen(turn: Turn, request_id: int, text: str, asking: bool = False) -> Outcome:
    request = authorised(turn, request_id)
    assert turn.officer is not None
    if request.status in requests.CLOSED:
        return turn.reply("officer.closed", number=request.id)
    if asking:
        requests.ask(turn.session, request.id, turn.officer.id, text)
    event = requests.relay_to_citizen(turn.session, request.id, text, actor=Actor.OFFICER, actor_id=turn.officer.id)
    message = turn.knowledge.faq.message(
        "notify.to_citizen", request.citizen.lang, officer=turn.officer.name, number=request.id, text=text
    )
    villagers.await_answer(turn.session, request.citizen, request.id)  # their next words come back here
    if not tell_citizen(turn, request, f"relay:{event.id if event else 0}", message, at_least_once=True,
                        force_reply=True):
        phone = request.contact_phone or turn.say("card.no_phone")
        return turn.reply("officer.relay_blocked", number=request.id, phone=phone)  # the truth, and what to do
    return turn.reply("officer.relayed", number=request.id)


def done(turn: Turn, request_id: int) -> Outcome:
    request = authorised(turn, request_id)
    assert turn.officer is not None
    if request.status not in requests.CLOSED:
        for first in BEFORE_DONE:
            if (asked := first(turn, request)) is not None:
                return asked
    closed = requests.done(turn.session, request.id, actor=Actor.OFFICER, actor_id=turn.officer.id)
    if closed is None:
        return turn.reply("officer.closed", number=request.id)
    tell_citizen(turn, closed, "done", turn.knowledge.faq.message("notify.done", closed.citizen.lang, number=closed.id))
    for then in AFTER_DONE:
        then(turn, closed)
    villagers.stop_answering(turn.session, closed.citizen, closed.id)
    return turn.reply("officer.done", number=request.id)


def queue(turn: Turn) -> Outcome:
    desk = roster.town_by_duty_chat(turn.session, turn.msg.chat_id)
    require_officer(turn)
    assert turn.officer is not None
    found = (
        requests.town_queue(turn.session, desk.id) if desk else requests.officer_queue(turn.session, turn.officer.id)
    )
    if not found:
        return turn.reply("officer.queue_empty")
    lines = [turn.say("officer.queue_header")]
    for r in found:
        lines.append(
            turn.say(
                "officer.queue_line",
                number=r.id,
                urgent=turn.say("card.urgent") if r.urgent else "",
                village=r.village.name,
                kind=cards.kind_title(turn.knowledge, r.kind, turn.lang),
                status=turn.say(f"status.{r.status}"),
                age=cards.age(r.created_at, turn.lang),
            )
        )
    return Outcome((Reply("\n".join(lines)),))


# --- entry points the conversation routes to -------------------------------------------------


def on_accept(turn: Turn) -> Outcome:
    return accept(turn, number_arg(turn, "accept"))


def on_done(turn: Turn) -> Outcome:
    return done(turn, number_arg(turn, "done"))


def on_reply(turn: Turn) -> Outcome:
    request_id = inputs.number(turn.msg.args[0]) if turn.msg.args else None
    if len(turn.msg.args) < 2 or request_id is None:
        raise BadArguments(usage=turn.say("usage.reply"))
    return relay_to_citizen(turn, request_id, " ".join(turn.msg.args[1:]))


def on_queue(turn: Turn) -> Outcome:
    return queue(turn)


def on_photo(turn: Turn) -> Outcome:
    """`/photo` as the caption of a photo, or as a reply to one: the photo villagers see with /officer
    (kept as Telegram's file id, which the bot can send again without the file)."""
    require_officer(turn)
    assert turn.officer is not None
    found = [a.file_id for a in (*turn.msg.attachments, *turn.msg.reply_to_attachments) if a.kind == "photo"]
    if not found:
        return turn.reply("photo.how")
    roster.set_officer_photo(turn.session, turn.officer.id, found[0])
    log.info("officer=%s set their photo", turn.officer.id)
    return turn.reply("photo.saved")


def on_button(turn: Turn) -> Outcome:
    """`acc:N`, `ask:N`, `done:N` from a request card."""
    action, _, data = (turn.msg.button or "").partition(":")
    number = inputs.number(data)
    if number is None:
        return turn.reply("unsupported.other")
    actions = {"acc": accept, "ask": ask, "done": done}
    return actions[action](turn, number)


def on_asking(turn: Turn) -> Outcome:
    """The officer's words after Ask-for-details."""
    request_id = int(turn.data.get("request", 0))
    turn.set_state(None)
    return relay_to_citizen(turn, request_id, turn.msg.text.strip(), asking=True)


COMMANDS = {"accept": on_accept, "reply": on_reply, "done": on_done, "queue": on_queue, "photo": on_photo}
BUTTONS = {"acc": on_button, "ask": on_button, "done": on_button}
STEPS = {ASKING: on_asking}
