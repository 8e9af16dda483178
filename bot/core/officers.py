"""What officers (and duty desks) do with requests: accept, ask, reply, close, see their queue."""

from __future__ import annotations

import logging

from bot.core import cards
from bot.core.turn import Turn
from bot.core.types import Outcome, Reply
from bot.errors import BadArguments, NotAllowed, NotFound
from bot.store import outbox, requests, roster
from bot.store.models import Actor, Request
from bot.store.requests import AcceptResult

log = logging.getLogger(__name__)

ASKING = "officer_asking"


def require_officer(turn: Turn) -> None:
    if turn.officer is None:
        log.warning("refused user=%s command=%s: not a registered officer", turn.msg.user_id, turn.msg.command)
        raise NotAllowed("officer.only")


def number_arg(turn: Turn, command: str) -> int:
    if not turn.msg.args or not turn.msg.args[0].lstrip("#").isdigit():
        raise BadArguments(usage=turn.say("usage.number", command=command))
    return int(turn.msg.args[0].lstrip("#"))


def authorised(turn: Turn, request_id: int) -> Request:
    """The request, if this officer may act on it: assigned to its village, or at its town's desk."""
    require_officer(turn)
    assert turn.officer is not None
    request = requests.get(turn.session, request_id)
    if request is None:
        raise NotFound(what=turn.say("what.request", number=request_id))
    desk = roster.town_by_duty_chat(turn.session, turn.msg.chat_id)
    at_desk = desk is not None and desk.id == request.village.town_id
    mine = request.officer_id == turn.officer.id
    if not (at_desk or mine or roster.is_assigned(turn.session, turn.officer.id, request.village_id)):
        log.warning("refused officer=%s on request #%s (village %s)", turn.officer.id, request_id, request.village.code)
        raise NotAllowed("officer.not_yours", number=request_id)
    return request


def tell_citizen(turn: Turn, request: Request, key: str, text: str) -> None:
    """A message to the villager about their request, through the outbox, once per `key`.

    Not to a villager who blocked the bot: it would only be refused again (writing to us unblocks)."""
    if request.citizen.blocked:
        log.info("request #%d: the villager blocked the bot; %s not sent", request.id, key.partition(":")[0])
        return
    row = cards.note(f"{requests.ref(request.id)}:{key}", request.citizen.chat_id, text, request.id)
    turn.queued += outbox.enqueue(turn.session, row)


def accept(turn: Turn, request_id: int) -> Outcome:
    request = authorised(turn, request_id)
    assert turn.officer is not None
    result, fresh = requests.accept(turn.session, request.id, turn.officer.id)
    if result is AcceptResult.ACCEPTED and fresh is not None:
        faq = turn.knowledge.faq
        text = faq.message("notify.accepted", fresh.citizen.lang, number=fresh.id, officer=turn.officer.name)
        tell_citizen(turn, fresh, "accepted", text)
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
    return turn.reply("officer.ask_prompt", number=request.id)


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
    tell_citizen(turn, request, f"relay:{event.id if event else 0}", message)
    return turn.reply("officer.relayed", number=request.id)


def done(turn: Turn, request_id: int) -> Outcome:
    request = authorised(turn, request_id)
    assert turn.officer is not None
    closed = requests.done(turn.session, request.id, actor=Actor.OFFICER, actor_id=turn.officer.id)
    if closed is None:
        return turn.reply("officer.closed", number=request.id)
    tell_citizen(turn, closed, "done", turn.knowledge.faq.message("notify.done", closed.citizen.lang, number=closed.id))
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
    if len(turn.msg.args) < 2 or not turn.msg.args[0].lstrip("#").isdigit():
        raise BadArguments(usage=turn.say("usage.reply"))
    return relay_to_citizen(turn, int(turn.msg.args[0].lstrip("#")), " ".join(turn.msg.args[1:]))


def on_queue(turn: Turn) -> Outcome:
    return queue(turn)


def on_button(turn: Turn) -> Outcome:
    """`acc:N`, `ask:N`, `done:N` from a request card."""
    action, _, number = (turn.msg.button or "").partition(":")
    if not number.isdigit():
        return turn.reply("unsupported.other")
    actions = {"acc": accept, "ask": ask, "done": done}
    return actions[action](turn, int(number))


def on_asking(turn: Turn) -> Outcome:
    """The officer's words after Ask-for-details."""
    request_id = int(turn.data.get("request", 0))
    turn.set_state(None)
    return relay_to_citizen(turn, request_id, turn.msg.text.strip(), asking=True)


COMMANDS = {"accept": on_accept, "reply": on_reply, "done": on_done, "queue": on_queue}
BUTTONS = {"acc": on_button, "ask": on_button, "done": on_button}
STEPS = {ASKING: on_asking}
