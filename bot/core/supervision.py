"""Public supervision: villagers rate a closed request with one tap (满意 / 基本满意 / 不满意, then an
optional comment), and complain about an officer's conduct privately (`/complain`, or the button on
the officer's card from /officer). An 不满意 rating or a complaint goes to the town's supervisor (the
roster's `supervisor_telegram_id`; the admins when the town has none), never to the officer concerned;
the supervisor lists them with `/complaints` and closes each with a note that the villager receives:
the card's button asks for the note, `/complaints close N NOTE` closes it at once.

Who sees a complaint: the supervisor of its town, and the admins; never the officer it is about, even
when that officer is the town's supervisor or an admin (then it goes to the other admins)."""

from __future__ import annotations

import logging

from bot.core import inputs, officers
from bot.core.turn import Turn
from bot.core.types import Aside, Button, Outcome, Reply
from bot.core.urgency import happening_now, reads_as_question
from bot.errors import BadArguments, NotAllowed, NotFound, UserError
from bot.store import outbox, requests, roster
from bot.store import supervision as store
from bot.store.models import Citizen, Officer, Request
from bot.store.models_supervision import Complaint, ComplaintKind, Score

log = logging.getLogger(__name__)

COMMENTING = "rating_comment"  # after a tap: the villager's optional words
COMPLAINING = "complaining"  # after /complain alone or the card's button: what happened
CLOSING = "complaint_closing"  # the supervisor's note to the villager
SCORES = {s.value: s for s in Score}
CLOSE_WORDS = frozenset({"close", "关闭", "结案", "办结"})  # `/complaints close N NOTE`


# --- ratings -----------------------------------------------------------------------------------


def ask_rating(turn: Turn, request: Request) -> None:
    """After Done: the villager is asked to rate, one tap (held if they blocked the bot)."""
    lang = request.citizen.lang
    faq = turn.knowledge.faq
    row = tuple(Button(faq.message(f"rating.button.{s.value}", lang), f"rate:{request.id}:{s.value}")
                for s in (Score.SATISFIED, Score.FAIR, Score.UNSATISFIED))
    prompt = Reply(faq.message("rating.ask", lang, number=request.id), (row,), ref=requests.ref(request.id))
    item = outbox.Outgoing(f"{requests.ref(request.id)}:rate", request.citizen.chat_id, outbox.payload(prompt),
                           requests.ref(request.id))
    held = request.citizen.blocked
    turn.queued += outbox.enqueue(turn.session, item, held=held) and not held


def on_rate(turn: Turn) -> Outcome:
    """`rate:<request>:<1|2|3>`: the villager's one rating of their closed request."""
    _, number_text, score_text = f"{turn.msg.button}::".split(":")[:3]
    number, score = inputs.number(number_text), SCORES.get(score_text)
    request = requests.get(turn.session, number) if number is not None and inputs.findable(number) else None
    if request is None or score is None or request.citizen_id != turn.citizen.id:
        return turn.reply("unsupported.other")  # not theirs: a villager rates only their own requests
    if request.status != requests.DONE:
        return turn.reply("rating.not_closed", number=request.id)
    rating = store.rate(turn.session, request, int(score.value))
    if rating is None:
        return turn.reply("rating.already", number=request.id)
    log.info("request #%d rated %s", request.id, score.value)
    if score is not Score.UNSATISFIED:
        turn.set_state(COMMENTING, rating=rating.id)
        return turn.reply("rating.thanks")
    officer = roster.officer(turn.session, request.officer_id) if request.officer_id else None
    complaint = store.complain(
        turn.session,
        citizen_id=turn.citizen.id,
        town_id=request.village.town_id,
        officer_id=officer.id if officer else None,
        kind=ComplaintKind.RATING,
        text=turn.say("rating.complaint_text", number=request.id),
        request_id=request.id,
    )
    handler = tell_handlers(turn, complaint, officer)
    turn.set_state(COMMENTING, rating=rating.id, complaint=complaint.id)
    return turn.reply("rating.unsatisfied", complaint=complaint.id, handler=handler)


def on_comment(turn: Turn) -> Outcome | Aside:
    """The villager's words after a rating: kept with it (and sent on with an 不满意 one). A cry for
    help or a question the FAQ answers is not a comment (the comment is optional: many never write
    one): it is answered as such."""
    text = turn.msg.text.strip()
    data = turn.data
    turn.set_state(None)
    if reads_as_question(turn, text):
        return Aside(None)
    store.comment(turn.session, int(data.get("rating", 0)), text)
    complaint = store.get(turn.session, int(data.get("complaint", 0))) if data.get("complaint") else None
    if complaint is not None:
        store.add_words(turn.session, complaint.id, text)
        officer = roster.officer(turn.session, complaint.officer_id) if complaint.officer_id else None
        tell_handlers(turn, complaint, officer, more=text)
    return turn.reply("rating.comment_saved")


# --- complaints --------------------------------------------------------------------------------


def on_complain(turn: Turn) -> Outcome:
    """`/complain WHAT HAPPENED` at once, or `/complain` alone: asked what happened."""
    words = " ".join(turn.msg.args).strip()
    if words:
        return complain(turn, words, None)
    turn.set_state(COMPLAINING)
    return turn.reply("complaint.ask")


def on_complain_button(turn: Turn) -> Outcome:
    """`cmp:<officer>` under the officer's card (/officer): a complaint about that officer."""
    number = inputs.number((turn.msg.button or "").partition(":")[2])
    officer = roster.officer(turn.session, number) if number is not None and inputs.findable(number) else None
    if officer is None:
        return turn.reply("unsupported.other")
    turn.set_state(COMPLAINING, officer=officer.id)
    return turn.reply("complaint.ask_about", officer=officer.name)


def on_complaining(turn: Turn) -> Outcome | Aside:
    text = turn.msg.text.strip()
    about = turn.data.get("officer")
    turn.set_state(None)
    if happening_now(turn, text):
        return Aside(None)  # a cry for help first; the complaint can wait for /complain
    return complain(turn, text, int(about) if about else None)


def complain(turn: Turn, text: str, officer_id: int | None) -> Outcome:
    village = roster.village(turn.session, turn.citizen.village_id) if turn.citizen.village_id else None
    officer = roster.officer(turn.session, officer_id) if officer_id else None
    if officer is None and village is not None:
        officer = roster.village_officer(turn.session, village.id)
    kind = ComplaintKind.MONEY if about_money(turn, text) else ComplaintKind.CONDUCT
    complaint = store.complain(
        turn.session,
        citizen_id=turn.citizen.id,
        town_id=village.town_id if village else None,
        officer_id=officer.id if officer else None,
        kind=kind,
        text=text,
    )
    log.info("complaint %d (%s) received", complaint.id, kind.value)
    handler = tell_handlers(turn, complaint, officer)
    return turn.reply("complaint.received", number=complaint.id, handler=handler)


def about_money(turn: Turn, text: str) -> bool:
    """Whether the complaint alleges asking for money, gifts or favours (the words in messages.yaml)."""
    lowered = text.lower()
    words = [w for lang in ("zh", "en") for w in turn.say("complaint.money_words", lang).split("|") if w]
    return any(w.lower() in lowered for w in words)


def handlers(turn: Turn, complaint: Complaint, officer: Officer | None) -> tuple[list[int], bool]:
    """Who handles the complaint (Telegram ids) and whether it is the town's supervisor: the
    supervisor, else the admins; never the officer it is about."""
    concerned = officer.telegram_id if officer else None
    supervisor = store.supervisor_of(turn.session, complaint.town_id)
    if supervisor is not None and supervisor != concerned:
        return [supervisor], True
    return [a for a in turn.services.settings.telegram.admins if a != concerned], False


def tell_handlers(turn: Turn, complaint: Complaint, officer: Officer | None, more: str = "") -> str:
    """The complaint (or the villager's further words) to whoever handles it, urgent when about
    money; returns who that is, as the villager is told."""
    chats, supervisor = handlers(turn, complaint, officer)
    lang = turn.staff_lang
    faq = turn.knowledge.faq
    town = store.town(turn.session, complaint.town_id) if complaint.town_id else None
    buttons: tuple[tuple[Button, ...], ...] = ()
    if more:
        text = faq.message("complaint.more", lang, number=complaint.id, text=more)
        tag = f"more:{turn.msg.update_id or 0}"
    else:
        text = card(turn, complaint, officer, lang)
        tag = "new"
        buttons = ((Button(faq.message("button.complaint_close", lang), f"cmpx:{complaint.id}"),),)
    for chat in chats:
        item = outbox.Outgoing(f"complaint:{complaint.id}:{tag}:{chat}", chat, outbox.payload(Reply(text, buttons)),
                               f"complaint:{complaint.id}", at_least_once=True, urgent=complaint.urgent)
        turn.queued += outbox.enqueue(turn.session, item)
    if not chats:
        log.error("complaint %d: no supervisor and no admin to handle it", complaint.id)
    if supervisor and town is not None:
        return turn.say("complaint.by_supervisor", town=town.name)
    return turn.say("complaint.by_admins")


def card(turn: Turn, complaint: Complaint, officer: Officer | None, lang: str) -> str:
    """The complaint as its handler sees it."""
    faq = turn.knowledge.faq
    town = store.town(turn.session, complaint.town_id) if complaint.town_id else None
    citizen = turn.session.get(Citizen, complaint.citizen_id)
    return faq.message(
        "complaint.card",
        lang,
        number=complaint.id,
        urgent=faq.message("complaint.urgent", lang) if complaint.urgent else "",
        kind=faq.message(f"complaint.kind.{complaint.kind}", lang),
        town=town.name if town else "-",
        officer=officer.name if officer else "-",
        name=(citizen.name if citizen else "") or "-",
        request=f"#{complaint.request_id}" if complaint.request_id else "-",
        text=complaint.text,
    )


# --- the supervisor ----------------------------------------------------------------------------


def scope(turn: Turn) -> list[int] | None:
    """The towns whose complaints this person handles (None: all, an admin); NotAllowed otherwise."""
    if turn.is_admin:
        return None
    towns = store.towns_supervised_by(turn.session, turn.msg.user_id)
    if not towns:
        log.warning("refused user=%s /complaints: not a supervisor", turn.msg.user_id)
        raise NotAllowed("complaint.not_supervisor")
    return [t.id for t in towns]


def may_handle(turn: Turn, complaint: Complaint) -> bool:
    towns = scope(turn)
    mine = towns is None or complaint.town_id in towns
    about_me = turn.officer is not None and complaint.officer_id == turn.officer.id
    return mine and not about_me


def on_complaints(turn: Turn) -> Outcome:
    """`/complaints`: the open complaints this supervisor handles, each with a Close button;
    `/complaints close N NOTE`: complaint N closed, the note sent to the villager (asked for when missing)."""
    if turn.msg.args:
        return on_close_command(turn)
    found = store.open_for(turn.session, scope(turn), turn.officer.id if turn.officer else None)
    if not found:
        return turn.reply("complaint.none_open")
    replies = [Reply(turn.say("complaint.list_head", count=len(found)))]
    for complaint in found:
        officer = roster.officer(turn.session, complaint.officer_id) if complaint.officer_id else None
        button = Button(turn.say("button.complaint_close"), f"cmpx:{complaint.id}")
        replies.append(Reply(card(turn, complaint, officer, turn.lang), ((button,),)))
    return Outcome(tuple(replies))


def on_close_command(turn: Turn) -> Outcome:
    args = turn.msg.args
    if len(args) < 2 or args[0].lower() not in CLOSE_WORDS:
        raise BadArguments(usage=turn.say("usage.complaints"))
    complaint = closable(turn, inputs.number(args[1].removeprefix("T").removeprefix("t")))
    note = " ".join(args[2:]).strip()
    if complaint.status != "open":
        return turn.reply("complaint.already_closed", number=complaint.id)
    if not note:
        turn.set_state(CLOSING, complaint=complaint.id)
        return turn.reply("complaint.ask_note", number=complaint.id)
    return close(turn, complaint, note)


def on_close_button(turn: Turn) -> Outcome:
    """`cmpx:<complaint>`: the supervisor is asked for the note the villager receives."""
    complaint = closable(turn, inputs.number((turn.msg.button or "").partition(":")[2]))
    if complaint.status != "open":
        return turn.reply("complaint.already_closed", number=complaint.id)
    turn.set_state(CLOSING, complaint=complaint.id)
    return turn.reply("complaint.ask_note", number=complaint.id)


def closable(turn: Turn, number: int | None) -> Complaint:
    """Complaint `number`, if this supervisor may handle it (NotFound, NotAllowed otherwise)."""
    complaint = store.get(turn.session, number) if number is not None and inputs.findable(number) else None
    if complaint is None:
        raise NotFound(what=turn.say("complaint.what", number=number or 0))
    if not may_handle(turn, complaint):
        log.warning("refused user=%s on complaint %d", turn.msg.user_id, complaint.id)
        raise NotAllowed("complaint.not_yours", number=complaint.id)
    return complaint


def on_closing(turn: Turn) -> Outcome:
    number = int(turn.data.get("complaint", 0))
    turn.set_state(None)
    complaint = store.get(turn.session, number)
    if complaint is None or not may_handle(turn, complaint):
        raise UserError("unsupported.other")
    return close(turn, complaint, turn.msg.text.strip())


def close(turn: Turn, complaint: Complaint, note: str) -> Outcome:
    """The complaint closed with `note`, which the villager receives."""
    if not store.close(turn.session, complaint.id, turn.msg.user_id, note):
        return turn.reply("complaint.already_closed", number=complaint.id)
    citizen = turn.session.get(Citizen, complaint.citizen_id)
    assert citizen is not None  # a foreign key
    text = turn.knowledge.faq.message("complaint.closed_to_villager", citizen.lang, number=complaint.id, note=note)
    item = outbox.Outgoing(f"complaint:{complaint.id}:closed", citizen.chat_id, outbox.payload(Reply(text)),
                           f"complaint:{complaint.id}", at_least_once=True)
    turn.queued += outbox.enqueue(turn.session, item, held=citizen.blocked) and not citizen.blocked
    log.info("complaint %d closed by user=%s", complaint.id, turn.msg.user_id)
    return turn.reply("complaint.closed", number=complaint.id)


officers.AFTER_DONE.append(ask_rating)

COMMANDS = {"complain": on_complain, "complaints": on_complaints}
BUTTONS = {"rate": on_rate, "cmp": on_complain_button, "cmpx": on_close_button}
STEPS = {COMMENTING: on_comment, COMPLAINING: on_complaining, CLOSING: on_closing}
