"""What villagers do besides asking: register their village, see their officer and requests,
and answer an officer through the bot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy.orm import Session

from bot.core import cards, keyboard
from bot.core.turn import Turn
from bot.core.types import Aside, Button, Outcome, Reply
from bot.core.urgency import reads_as_question, urgent
from bot.localtime import local_date
from bot.store import citizens, outbox, requests, roster
from bot.store.models import Citizen, Request, Village

VILLAGE = "village"
ANSWERING = "answering"  # an officer wrote about a request: the villager's next words are for them
SEND_UNSENT = "sendoff"  # the button that sends what was taken for a question to the officer after all
CHOICES = 5
# What a villager asked for before their village was known, taken up as soon as it is: the name
# stored with the VILLAGE state -> what carries on. The modules that ask fill it in (intake:
# a request, an urgent page), so that this module needs none of them.
THEN: dict[str, Callable[[Turn, dict[str, Any]], Outcome]] = {}


def on_start(turn: Turn) -> Outcome:
    """`/start CODE` (the poster's deep link) registers the village; `/start` alone asks for it."""
    welcome = Reply(turn.say("welcome"), keyboard=keyboard.main(turn))  # the big buttons, from the first screen
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
    complain = Button(turn.say("button.complain"), f"cmp:{officer.id}")  # privately, to the supervisor
    return Outcome((Reply(text, ((complain,),), photo=officer.photo),))


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


def relay_to_staff(turn: Turn, request: Request, said: str | None = None) -> Outcome:
    """The villager answered a message about their request: it goes to the officer handling it
    (`said`: words of an earlier message, instead of this one's)."""
    if request.citizen_id != turn.citizen.id:
        return turn.reply("unsupported.other")  # not theirs: a villager sees only their own requests
    text = (turn.msg.text if said is None else said).strip() or "-"
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
        row = cards.note(f"{requests.ref(request.id)}:back:{event.id}", chat, words, request.id, at_least_once=True,
                         force_reply=chat != desk)  # the officer's reply box opens on it (not a whole desk's)
        turn.queued += outbox.enqueue(turn.session, row)
        for i, a in enumerate(turn.msg.attachments):
            photo = Reply(f"#{request.id}", photo=a.file_id, ref=requests.ref(request.id))
            key = f"{requests.ref(request.id)}:back:{event.id}:photo:{i}"
            item = outbox.Outgoing(key, chat, outbox.payload(photo), row.ref, at_least_once=True)
            turn.queued += outbox.enqueue(turn.session, item)
    return turn.reply("relay.sent", number=request.id)


def await_answer(session: Session, citizen: Citizen, request_id: int) -> None:
    """An officer wrote to the villager about a request: their next words go back to the officer,
    swiped as a reply or not. A villager in the middle of a step (a village name, a request's
    details or phone) keeps it; the swipe-reply still reaches the officer."""
    if citizen.state is None or citizen.state == ANSWERING or citizen.state.startswith("after_"):
        citizens.set_state(session, citizen, ANSWERING, {"request": request_id})


def stop_answering(session: Session, citizen: Citizen, request_id: int) -> None:
    """The request is closed: nobody waits for the villager's answer any more."""
    if citizen.state == ANSWERING and (citizen.state_data or {}).get("request") == request_id:
        citizens.set_state(session, citizen, None, None)


def on_answering(turn: Turn) -> Outcome | Aside:
    """Plain words while an officer waits for an answer go to the officer. A question the FAQ
    answers with confidence is answered instead, with a way to send it to the officer after all."""
    request = requests.get(turn.session, int(turn.data.get("request", 0)))
    if request is None or request.citizen_id != turn.citizen.id or request.status in requests.CLOSED:
        turn.set_state(None)  # nobody waits any more: the words are a question like any other
        return Aside(None)
    text = turn.msg.text.strip()
    if urgent(turn, text):
        return Aside(None)  # the urgent path pages the officer with these words
    if asks_the_faq(turn, text):
        turn.set_state(ANSWERING, request=request.id, unsent=text[:4000])
        send = Button(turn.say("button.send_to_officer"), SEND_UNSENT)
        return Aside("answering.not_sent", buttons=((send,),))
    return relay_to_staff(turn, request)


def asks_the_faq(turn: Turn, text: str) -> bool:
    """A question of its own rather than an answer: one the FAQ answers with confidence. Small talk
    the FAQ also knows ("谢谢", "好的": chat.*) is an answer to the officer."""
    match = turn.knowledge.matcher.match(text)
    return not match.fallback and not (match.intent or "").startswith("chat.")


def on_send_unsent(turn: Turn) -> Outcome:
    """"Send it to the officer": the words taken for a question go to the officer after all."""
    data = turn.data
    request = requests.get(turn.session, int(data.get("request", 0))) if turn.state == ANSWERING else None
    if request is None or not data.get("unsent"):
        return turn.reply("nothing_to_cancel")
    turn.set_state(ANSWERING, request=request.id)
    return relay_to_staff(turn, request, str(data["unsent"]))


COMMANDS = {"start": on_start, "village": on_village, "officer": on_officer, "myrequests": on_myrequests}
BUTTONS = {"vil": on_village_button, SEND_UNSENT: on_send_unsent}
STEPS = {VILLAGE: on_village_name, ANSWERING: on_answering}
