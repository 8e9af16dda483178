"""Opening requests: the short conversation that collects what the officer needs, the one-message
`/request KIND TEXT`, and the urgent page when something is happening right now."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.core import cards, keyboard, villagers
from bot.core.turn import Turn
from bot.core.types import Aside, Attachment, Outcome, Reply
from bot.core.urgency import reads_as_question, urgent
from bot.errors import BadArguments, NoVillage, UserError
from bot.store import citizens, requests, roster
from bot.store.models import Request, Village
from bot.store.outbox import Outgoing
from bot.store.types import utcnow

log = logging.getLogger(__name__)

DETAILS = "request_details"
PHONE = "request_phone"
MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
MAX_DETAILS = 4000
MAX_ATTACHMENTS = 10
URGENT_WAIT = timedelta(hours=1)  # a cry for help older than this pages nobody when the village comes


def village_of(turn: Turn) -> Village:
    """The villager's village, or the error that asks them to set it."""
    village = roster.village(turn.session, turn.citizen.village_id) if turn.citizen.village_id else None
    if village is None:
        raise NoVillage()
    return village


def request_kinds(turn: Turn) -> list[str]:
    """The intents a request can be about: every routable one."""
    return [i.id for i in turn.knowledge.faq.intents.values() if i.routable]


def resolve_kind(turn: Turn, word: str) -> str:
    """`hukou_newborn` or `service.hukou_newborn` -> the intent id; else the error listing kinds."""
    kinds = request_kinds(turn)
    for kind in kinds:
        if word.lower() in (kind, kind.split(".", 1)[1]):
            return kind
    listing = "\n".join(f"{k.split('.', 1)[1]} — {cards.kind_title(turn.knowledge, k, turn.lang)}" for k in kinds)
    raise UserError("request.unknown_kind", kind=word, kinds=listing)


def start(turn: Turn, kind: str, details: str = "") -> Outcome:
    """Begin the conversation for a request of `kind` (details may already be known)."""
    if turn.citizen.village_id is None:  # the request goes to the village's officer: the village first
        return villagers.ask_village(turn, "request", "village.ask_for_request", kind=kind, details=details)
    if details:
        turn.set_state(PHONE, kind=kind, details=details[:MAX_DETAILS], attachments=[])
        return ask_phone(turn)
    turn.set_state(DETAILS, kind=kind, attachments=[])
    return turn.reply("request.ask_details")


def on_details(turn: Turn) -> Outcome | Aside:
    text = turn.msg.text.strip()
    if urgent(turn, text):  # no time for a phone number: the urgent page carries these words
        turn.set_state(None)
        return Aside(None)
    if len(text) < 2:
        return turn.reply("request.too_short")
    data = turn.data
    turn.set_state(PHONE, kind=data["kind"], details=text[:MAX_DETAILS], attachments=data.get("attachments", []))
    return ask_phone(turn)


def ask_phone(turn: Turn) -> Outcome:
    """Ask for a mobile number, with the one button that shares the villager's own."""
    return Outcome((Reply(turn.say("request.ask_phone"), contact_button=turn.say("keyboard.contact")),))


def on_phone(turn: Turn) -> Outcome | Aside:
    found = mobile(turn.msg.text)
    if found is None:
        if reads_as_question(turn, turn.msg.text):
            return Aside("request.ask_phone_again")
        return turn.reply("request.bad_phone")
    return with_phone(turn, found)


def on_contact(turn: Turn) -> Outcome:
    """A shared contact in the phone step: the villager's own number is the phone; someone else's is not."""
    if not turn.msg.contact_own:
        return turn.reply("request.contact_not_own")
    found = mobile(turn.msg.contact_phone)
    if found is None:
        return turn.reply("request.bad_phone")
    return with_phone(turn, found)


def mobile(text: str) -> str | None:
    """The 11-digit mobile number in `138 1234-5678`, `+86 13812345678` or Telegram's `8613812345678`."""
    found = MOBILE.match(re.sub(r"[\s\-()]", "", text))
    return found.group(1) if found else None


def with_phone(turn: Turn, phone: str) -> Outcome:
    """The phone step done: the request is filed, and the big buttons come back in place of the phone's."""
    data = turn.data
    turn.set_state(None)
    attachments = [Attachment(a["kind"], a["file_id"]) for a in data.get("attachments", [])]
    return keyboard.with_main(turn, submit(turn, data["kind"], data.get("details", ""), phone, attachments))


def keeps_photos(db: sessionmaker[Session], user_id: int) -> bool:
    """Whether a photo from `user_id` now would be kept for the request being written (`on_attachment`),
    its words unused: the channel then spares the second of OCR it would take (bot/channels/telegram/media.py)."""
    with db() as session:
        citizen = citizens.by_user_id(session, user_id)
        return citizen is not None and citizen.state in (DETAILS, PHONE)


def on_attachment(turn: Turn) -> Outcome:
    """A photo or document while a request is being written: kept for the officer."""
    data = turn.data
    kept = list(data.get("attachments", []))
    for a in turn.msg.attachments[: MAX_ATTACHMENTS - len(kept)]:
        kept.append({"kind": a.kind, "file_id": a.file_id})
    data["attachments"] = kept
    caption = turn.msg.text.strip()
    saved = Reply(turn.say("request.photo_saved", count=len(kept)))
    if caption and turn.state == DETAILS:  # the caption says what it is about: on to the phone
        turn.set_state(PHONE, **{**data, "details": caption[:MAX_DETAILS]})
        return Outcome((saved, *ask_phone(turn).replies))
    turn.set_state(turn.state, **data)
    return Outcome((saved,))


def one_message(turn: Turn) -> Outcome:
    """`/request KIND TEXT`: the whole request in one message."""
    if not turn.msg.args:
        kinds = [k.split(".", 1)[1] for k in request_kinds(turn)]
        raise BadArguments(usage=f"{turn.say('request.usage')}\n{', '.join(kinds)}")
    kind = resolve_kind(turn, turn.msg.args[0])
    details = " ".join(turn.msg.args[1:]).strip()
    if not details:
        return start(turn, kind)
    return submit(turn, kind, details, None, list(turn.msg.attachments))


def submit(
    turn: Turn, kind: str, details: str, phone: str | None, attachments: list[Attachment], urgent: bool = False
) -> Outcome:
    """Store the request with its messages to the officer (or desk); the reply shows its number."""
    request = create(turn, kind, details, phone, attachments, urgent)
    officer = roster.village_officer(turn.session, request.village_id)
    if officer is not None and officer.telegram_id is not None:
        text = turn.say("request.created", number=request.id, officer=officer.name)
    else:
        text = turn.say("request.created_desk", number=request.id, town=request.village.town.name)
    return Outcome((Reply(text, ref=requests.ref(request.id)),))


def create(
    turn: Turn, kind: str, details: str, phone: str | None, attachments: list[Attachment], urgent: bool
) -> Request:
    village = village_of(turn)
    minutes = turn.services.settings.routing.accept_within_minutes
    request = requests.create(
        turn.session,
        citizen_id=turn.citizen.id,
        village_id=village.id,
        kind=kind,
        details=details[:MAX_DETAILS],
        accept_within=timedelta(minutes=minutes),
        contact_phone=phone,
        attachments=[{"kind": a.kind, "file_id": a.file_id} for a in attachments[:MAX_ATTACHMENTS]],
        urgent=urgent,
        messages=lambda r: staff_messages(turn, r),
    )
    log.info("request #%d %s village=%s urgent=%s", request.id, kind, village.code, urgent)
    return request


def staff_messages(turn: Turn, request: Request) -> list[Outgoing]:
    """Who hears of a new request: the village officer, else the town's duty desk. An officer who
    blocked the bot gets the card when they come back (held); the desk gets its copy now."""
    officer = roster.village_officer(turn.session, request.village_id)
    rows: list[Outgoing] = []
    away = False
    if officer is not None and officer.telegram_id is not None:
        rows += cards.to_staff(turn.knowledge, request, officer.telegram_id, turn.staff_lang)
        account = citizens.by_user_id(turn.session, officer.telegram_id)
        away = account is not None and account.blocked
    desk = roster.duty_chat(turn.session, request.village_id)
    if desk is not None and (not rows or request.urgent or away):
        rows += cards.to_staff(turn.knowledge, request, desk, turn.staff_lang, tag="desk")
    if not rows:
        log.warning("request #%d: village has neither an officer on Telegram nor a duty desk", request.id)
    turn.queued += len(rows)
    return rows


def page_urgently(turn: Turn, kind: str, text: str) -> Reply:
    """Open an urgent request with the villager's own words and page the officer at once (as soon
    as the village is known, when it is not yet)."""
    if turn.citizen.village_id is None:
        words, at = text[:MAX_DETAILS], utcnow().isoformat()
        return villagers.ask_village(turn, "urgent", "urgent.no_village", kind=kind, words=words, at=at).replies[0]
    phone = last_phone(turn)
    request = create(turn, kind, text, phone, list(turn.msg.attachments), urgent=True)
    return Reply(turn.say("urgent.paged", number=request.id), ref=requests.ref(request.id))


def last_phone(turn: Turn) -> str | None:
    """The contact phone the villager gave last time, so an urgent page carries it."""
    for request in requests.citizen_requests(turn.session, turn.citizen.id, limit=5):
        if request.contact_phone:
            return request.contact_phone
    return None


COMMANDS = {"request": one_message}
STEPS = {DETAILS: on_details, PHONE: on_phone}


def _request_waiting(turn: Turn, waiting: dict[str, Any]) -> Outcome:
    kind = str(waiting.get("kind", ""))
    if kind not in turn.knowledge.faq.intents:
        return Outcome()
    title = Reply(turn.say("village.then_request", kind=cards.kind_title(turn.knowledge, kind, turn.lang)))
    return Outcome((title, *start(turn, kind, str(waiting.get("details", ""))).replies))


def _urgent_waiting(turn: Turn, waiting: dict[str, Any]) -> Outcome:
    """Page the officer with the words that could not reach anyone, unless they are old news."""
    try:
        said = datetime.fromisoformat(str(waiting.get("at")))
    except ValueError:
        return Outcome()
    if utcnow() - said > URGENT_WAIT:
        return Outcome()
    kind = str(waiting.get("kind", "fraud.already_scammed"))
    return Outcome((page_urgently(turn, kind, str(waiting.get("words", "")) or "-"),))


villagers.THEN.update(request=_request_waiting, urgent=_urgent_waiting)
