"""How a request looks to the officer, the duty desk and the villager; the outbox rows that carry it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.types import Button, Reply
from bot.services import Knowledge
from bot.store import outbox
from bot.store.models import Officer, Request
from bot.store.outbox import Outgoing
from bot.store.requests import ref
from bot.store.types import utcnow

DETAILS_MAX = 1500  # a card fits one Telegram message with room to spare


def kind_title(knowledge: Knowledge, kind: str, lang: str) -> str:
    intent = knowledge.faq.get(kind)
    return intent.title.get(lang) if intent else kind


def card(knowledge: Knowledge, request: Request, lang: str, *, buttons: bool = True) -> Reply:
    """The request as an officer sees it: number, village, kind, details, contact, buttons."""
    faq = knowledge.faq
    urgent = faq.message("card.urgent", lang) if request.urgent else ""
    count = len(request.attachments or [])
    body = faq.message(
        "card.body",
        lang,
        village=request.village.name,
        town=request.village.town.name,
        kind=kind_title(knowledge, request.kind, lang),
        name=request.citizen.name or "-",
        phone=request.contact_phone or faq.message("card.no_phone", lang),
        details=(request.details or "-")[:DETAILS_MAX],
        attachments=faq.message("card.attachments", lang, count=count) if count else "-",
    )
    title = faq.message("card.title", lang, urgent=urgent, number=request.id)
    text = f"{title}\n{body}\n{faq.message('card.reply_hint', lang)}"
    rows: tuple[tuple[Button, ...], ...] = ()
    if buttons:
        rows = (
            (
                Button(faq.message("button.accept", lang), f"acc:{request.id}"),
                Button(faq.message("button.ask_details", lang), f"ask:{request.id}"),
                Button(faq.message("button.done", lang), f"done:{request.id}"),
            ),
        )
    return Reply(text, rows, ref=ref(request.id))


def to_staff(knowledge: Knowledge, request: Request, chat_id: int, lang: str, tag: str = "card") -> list[Outgoing]:
    """The card and each attached photo, as outbox rows for one officer's or desk's chat. A card must
    arrive: sent again when Telegram's answer is unknown (at least once, see bot/store/outbox.py)."""
    key = f"{ref(request.id)}:{tag}:{chat_id}"
    urgent = bool(request.urgent)  # an urgent page goes before the chat's backlog (the outbox's `urgent`)
    rows = [Outgoing(key, chat_id, outbox.payload(card(knowledge, request, lang)), ref(request.id), True, urgent)]
    for i, attachment in enumerate(request.attachments or []):
        photo = Reply(f"#{request.id}", photo=attachment.get("file_id"), ref=ref(request.id))
        rows.append(Outgoing(f"{key}:photo:{i}", chat_id, outbox.payload(photo), ref(request.id), True, urgent))
    return rows


def note(
    key: str, chat_id: int, text: str, request_id: int, *, at_least_once: bool = False, force_reply: bool = False
) -> Outgoing:
    """A plain message about a request (status change, relayed words), once per `key`. `at_least_once`
    for what must arrive (a person's words, an escalation): sent again when the outcome is unknown.
    `force_reply`: the reader's reply box opens on it (someone waits for their answer)."""
    reply = Reply(text, ref=ref(request_id), force_reply=force_reply)
    return Outgoing(key, chat_id, outbox.payload(reply), ref(request_id), at_least_once)


def taken(knowledge: Knowledge, session: Session, request: Request, taker: Officer, lang: str) -> list[Outgoing]:
    """Every copy of the request's card, once accepted: rewritten to name who took it, without the
    Accept button, so that a desk does not act twice. The taker's own copy keeps Ask and Done; the
    others have no buttons left. A copy sent is edited (an outbox row of its own, sent like any
    message); a copy not sent yet goes out as the new card. A copy being sent at this very moment
    keeps its buttons, and an Accept on it answers who took the request."""
    rows: list[Outgoing] = []
    line = knowledge.faq.message("card.taken", lang, officer=taker.name)
    for row in outbox.by_ref(session, ref(request.id)):
        tag = row.dedupe_key.split(":")[2:]
        if len(tag) != 2 or tag[0] not in ("card", "desk"):  # a card, not its photos, notes or relays
            continue
        full = card(knowledge, request, lang, buttons=row.chat_id == taker.telegram_id)
        buttons = tuple(tuple(b for b in r if not b.data.startswith("acc:")) for r in full.buttons)
        fresh = Reply(f"{full.text}\n{line}", buttons, ref=full.ref)
        if outbox.rewrite_unsent(session, row, outbox.payload(fresh)):
            continue
        if row.telegram_message_id is not None:
            edit = replace(fresh, edit=row.telegram_message_id)
            rows.append(Outgoing(f"{row.dedupe_key}:taken", row.chat_id, outbox.payload(edit), None, True))
    return rows


def officer_name(officer: Officer | None) -> str:
    return officer.name if officer else "-"


def age(since: datetime, lang: str) -> str:
    """`35 min` / `3 h` / `2 d` since a moment."""
    minutes = int((utcnow() - since).total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} 分钟" if lang == "zh" else f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} 小时" if lang == "zh" else f"{minutes // 60} h"
    return f"{minutes // 1440} 天" if lang == "zh" else f"{minutes // 1440} d"
