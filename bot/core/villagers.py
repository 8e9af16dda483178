"""What villagers do besides asking: register their village, see their officer and requests,
and answer an officer through the bot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rapidfuzz import fuzz, process

from bot.core import cards
from bot.core.turn import Turn
from bot.core.types import Aside, Button, Outcome, Reply
from bot.core.urgency import reads_as_question
from bot.localtime import local_date
from bot.store import citizens, outbox, requests, roster
from bot.store.models import Request, Village

VILLAGE = "village"
CHOICES = 5
# What a villager asked for before their village was known, taken up as soon as it is: the name
# stored with the VILLAGE state -> what carries on. The modules that ask fill it in (intake:
# a request, an urgent page), so that this module needs none of them.
THEN: dict[str, Callable[[Turn, dict[str, Any]], Outcome]] = {}


def on_start(turn: Turn) -> Outcome:
    """`/start CODE` (the poster's deep link) registers the village; `/start` alone asks for it."""
    welcome = Reply(turn.say("welcome"))
    if turn.msg.args:
        return Outcome((welcome, *set_village_by_code(turn, turn.msg.args[0]).replies))
    if turn.citizen.village_id is None:
        return Outcome((welcome, *ask_village(turn).replies))
    return Outcome((welcome,))


def on_village(turn: Turn) -> Outcome:
    if turn.msg.args:
        return set_village_by_code(turn, turn.msg.args[0])
    return ask_village(turn)


def ask_village(turn: Turn, then: str | None = None, message: str = "village.ask", **data: Any) -> Outcome:
    """Ask for the village; `then` (a key of `THEN`, with `data`) carries on once it is known."""
    turn.set_state(VILLAGE, **({"then": then, **data} if then else {}))
    return turn.reply(message)


def set_village_by_code(turn: Turn, code: str) -> Outcome:
    village = roster.village_by_code(turn.session, code)
    if village is None:
        if turn.state != VILLAGE:  # already asking: what waits for the village keeps waiting
            turn.set_state(VILLAGE)
        return turn.reply("error.unknown_village", code=code[:32])
    return registered(turn, village)


def registered(turn: Turn, village: Village) -> Outcome:
    """The village is set; what waited for it carries on."""
    waiting = turn.data if turn.state == VILLAGE else {}
    citizens.set_village(turn.session, turn.citizen, village.id)
    turn.set_state(None)
    officer = roster.village_officer(turn.session, village.id)
    if officer is None:
        welcome = turn.reply("welcome.village_no_officer", village=village.name, town=village.town.name)
    else:
        welcome = turn.reply("welcome.village", village=village.name, town=village.town.name, officer=officer.name)
    carry_on = THEN.get(str(waiting.get("then", "")))
    if carry_on is None:
        return welcome
    return Outcome((*welcome.replies, *carry_on(turn, waiting).replies))


def on_village_name(turn: Turn) -> Outcome | Aside:
    """The villager typed a village name (or code): one clear match registers it, a question is
    answered (and the village asked for again), else the nearest villages to choose from."""
    text = turn.msg.text.strip()[:50]
    village = roster.village_by_code(turn.session, text)
    if village is not None:
        return registered(turn, village)
    villages = roster.all_villages(turn.session)
    names = {v.id: f"{v.name} {v.town.name}" for v in villages}
    hits = process.extract(text, names, scorer=fuzz.WRatio, limit=CHOICES, score_cutoff=60)
    by_id = {v.id: v for v in villages}
    if hits and hits[0][1] >= 90 and (len(hits) == 1 or hits[1][1] < hits[0][1] - 10):
        return registered(turn, by_id[hits[0][2]])
    if reads_as_question(turn, turn.msg.text):
        return Aside("village.ask_again")
    if not hits:
        return turn.reply("village.not_found", text=text)
    rows = tuple((Button(f"{by_id[h[2]].name}（{by_id[h[2]].town.name}）", f"vil:{by_id[h[2]].code}"),) for h in hits)
    return Outcome((Reply(turn.say("village.choose"), rows),))


def on_village_button(turn: Turn) -> Outcome:
    return set_village_by_code(turn, (turn.msg.button or "").partition(":")[2])


def on_officer(turn: Turn) -> Outcome:
    village = roster.village(turn.session, turn.citizen.village_id) if turn.citizen.village_id else None
    if village is None:
        return turn.reply("error.no_village")
    officer = roster.village_officer(turn.session, village.id)
    if officer is None:
        return turn.reply("officer.none", village=village.name, town=village.town.name)
    town = village.town.name
    text = turn.say("officer.card", name=officer.name, phone=officer.phone, village=village.name, town=town)
    return Outcome((Reply(text, photo=officer.photo),))


def on_myrequests(turn: Turn) -> Outcome:
    mine = requests.citizen_requests(turn.session, turn.citizen.id)
    if not mine:
        return turn.reply("myrequests.none")
    lines = [turn.say("myrequests.header")]
    for r in mine:
        lines.append(
            turn.say(
                "myrequests.line",
                number=r.id,
                kind=cards.kind_title(turn.knowledge, r.kind, turn.lang),
                status=turn.say(f"status.{r.status}"),
                date=local_date(r.created_at, turn.services.settings).isoformat(),  # the station's day
            )
        )
    return Outcome((Reply("\n".join(lines)),))


def relay_to_staff(turn: Turn, request: Request) -> Outcome:
    """The villager answered a message about their request: it goes to the officer handling it."""
    if request.citizen_id != turn.citizen.id:
        return turn.reply("unsupported.other")  # not theirs: a villager sees only their own requests
    text = turn.msg.text.strip() or "-"
    event = requests.relay_to_officer(turn.session, request.id, turn.citizen.id, text)
    if event is None:
        return turn.reply("relay.closed", number=request.id)
    officer = roster.officer(turn.session, request.officer_id) if request.officer_id else None
    officer = officer or roster.village_officer(turn.session, request.village_id)
    desk = roster.duty_chat(turn.session, request.village_id)
    chat = officer.telegram_id if officer and officer.telegram_id else desk
    if chat is not None:
        words = turn.knowledge.faq.message(
            "notify.to_officer", turn.staff_lang, number=request.id, name=turn.citizen.name or "-", text=text
        )
        row = cards.note(f"{requests.ref(request.id)}:back:{event.id}", chat, words, request.id, at_least_once=True)
        turn.queued += outbox.enqueue(turn.session, row)
        for i, a in enumerate(turn.msg.attachments):
            photo = Reply(f"#{request.id}", photo=a.file_id, ref=requests.ref(request.id))
            key = f"{requests.ref(request.id)}:back:{event.id}:photo:{i}"
            item = outbox.Outgoing(key, chat, outbox.payload(photo), row.ref, at_least_once=True)
            turn.queued += outbox.enqueue(turn.session, item)
    return turn.reply("relay.sent", number=request.id)


COMMANDS = {"start": on_start, "village": on_village, "officer": on_officer, "myrequests": on_myrequests}
BUTTONS = {"vil": on_village_button}
STEPS = {VILLAGE: on_village_name}
