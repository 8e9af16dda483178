"""The outcome of a dispute-mediation request, recorded when the officer closes it: Done (the card's
button or `/done N`) first asks 调解成功 / 未成功 / 转交 with three buttons, then takes an optional note.
`/done N OUTCOME [note]` records it at once. The report's 调结率 (settled ÷ closed) comes from these."""

from __future__ import annotations

import logging

from bot.core import inputs, officers
from bot.core.turn import Turn
from bot.core.types import Button, Outcome, Reply
from bot.store import requests
from bot.store import supervision as store
from bot.store.models import Request
from bot.store.models_supervision import Outcome as Result

log = logging.getLogger(__name__)

NOTING = "dispute_note"  # the officer's optional note after the outcome


def ask_outcome(turn: Turn, request: Request) -> Outcome | None:
    """Before a dispute is closed: its outcome, from `/done N OUTCOME [note]` or asked with buttons."""
    if request.kind != store.DISPUTE or store.outcome_of(turn.session, request.id) is not None:
        return None
    args = turn.msg.args if turn.msg.command == "done" else ()
    given = outcome_named(turn, args[1]) if len(args) >= 2 else None
    if given is not None:
        record(turn, request, given)
        if len(args) > 2:
            store.note_outcome(turn.session, request.id, " ".join(args[2:]))
        return None  # recorded: the request is closed as usual
    row = tuple(Button(turn.say(f"dispute.outcome.{r.value}"), f"out:{request.id}:{r.value}") for r in Result)
    return Outcome((Reply(turn.say("dispute.ask_outcome", number=request.id), (row,)),))


def outcome_named(turn: Turn, word: str) -> Result | None:
    """An outcome as typed: its value (`settled`) or its label in either language (调解成功)."""
    for result in Result:
        names = {result.value, *(turn.say(f"dispute.outcome.{result.value}", lang) for lang in ("zh", "en"))}
        if word.strip().lower() in {n.lower() for n in names}:
            return result
    return None


def record(turn: Turn, request: Request, result: Result) -> None:
    assert turn.officer is not None
    if store.record_outcome(turn.session, request.id, result, turn.officer.id):
        log.info("request #%d: dispute outcome %s", request.id, result.value)


def on_outcome(turn: Turn) -> Outcome:
    """`out:<request>:<outcome>`: recorded, the request closed, and a note asked for (in private)."""
    _, number_text, value = f"{turn.msg.button}::".split(":")[:3]
    number = inputs.number(number_text)
    result = next((r for r in Result if r.value == value), None)
    if number is None or result is None:
        return turn.reply("unsupported.other")
    request = officers.authorised(turn, number)
    if request.status in requests.CLOSED:
        return turn.reply("officer.closed", number=request.id)
    record(turn, request, result)
    closed = officers.done(turn, request.id)
    label = turn.say(f"dispute.outcome.{result.value}")
    if turn.msg.in_group:  # at the duty desk: the note is for a private chat (free text there is the group's)
        return Outcome((*closed.replies, Reply(turn.say("dispute.recorded", number=request.id, outcome=label))))
    turn.set_state(NOTING, request=request.id)
    return Outcome((*closed.replies, Reply(turn.say("dispute.ask_note", number=request.id, outcome=label))))


def on_note(turn: Turn) -> Outcome:
    request_id = int(turn.data.get("request", 0))
    turn.set_state(None)
    store.note_outcome(turn.session, request_id, turn.msg.text.strip())
    return turn.reply("dispute.noted", number=request_id)


officers.BEFORE_DONE.append(ask_outcome)

BUTTONS = {"out": on_outcome}
STEPS = {NOTING: on_note}
