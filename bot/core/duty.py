"""Officers' village duty: `/log contact|visit|deed [CODE] TEXT` records one (a photo whose caption
is the command is kept with it); `/duty` shows what is due in each of the officer's villages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot import localtime
from bot.core.duty_rules import KINDS, PERIOD, DutyStatus, status
from bot.core.officers import require_officer
from bot.core.turn import Turn
from bot.core.types import Outcome
from bot.errors import BadArguments, NotAllowed
from bot.store import duty, roster
from bot.store.models import Village
from bot.store.types import utcnow

# what an officer may type for each kind of duty
KIND_WORDS = {
    "contact": "contact",
    "visit": "visit",
    "deed": "deed",
    "联系": "contact",
    "走访": "visit",
    "实事": "deed",
}


def today(turn: Turn) -> date:
    return localtime.local_date(utcnow(), turn.services.settings)


def day_text(turn: Turn, day: date | None) -> str:
    """`5月8日` / `2024-05-08`, or `never` in the user's language."""
    if day is None:
        return turn.say("duty.never")
    return turn.say("duty.date", year=day.year, month=day.month, day=day.day)


def my_villages(turn: Turn) -> list[Village]:
    require_officer(turn)
    assert turn.officer is not None
    villages = roster.officer_villages(turn.session, turn.officer.id)
    if not villages:
        raise NotAllowed("duty.no_village")
    return villages


def which_village(turn: Turn, words: Sequence[str]) -> tuple[Village, Sequence[str]]:
    """The village named by the first word when it is one of the officer's codes, else their only one."""
    villages = my_villages(turn)
    if words:
        code = roster.normalise_code(words[0])
        for village in villages:
            if village.code == code:
                return village, words[1:]
        if roster.village_by_code(turn.session, code) is not None:
            raise NotAllowed("duty.not_your_village", code=code)
    if len(villages) == 1:
        return villages[0], words
    raise BadArguments("duty.which_village", codes=" ".join(v.code for v in villages))


def photo_of(turn: Turn) -> str | None:
    """The file id of the photo sent with the command, if any."""
    return next((a.file_id for a in turn.msg.attachments if a.kind in ("photo", "document")), None)


def state_text(turn: Turn, item: DutyStatus, day: date) -> str:
    """`done this week`, `due today`, `due tomorrow` or `by 31 May (23 days)`."""
    if item.done:
        return turn.say("duty.done_in", period=turn.say(f"duty.period.{PERIOD[item.kind]}"))
    days = (item.due - day).days
    if days <= 1:
        return turn.say("duty.due_today" if days <= 0 else "duty.due_tomorrow")
    return turn.say("duty.due_by", date=day_text(turn, item.due), days=days)


def on_log(turn: Turn) -> Outcome:
    require_officer(turn)
    assert turn.officer is not None
    args = turn.msg.args
    kind = KIND_WORDS.get(args[0].lower()) if args else None
    if kind is None:
        raise BadArguments(usage=turn.say("usage.log"))
    village, words = which_village(turn, args[1:])
    text, photo = " ".join(words).strip(), photo_of(turn)
    if not text and photo is None:
        raise BadArguments(usage=turn.say("usage.log"))
    duty.add(turn.session, officer_id=turn.officer.id, village_id=village.id, kind=kind, text=text, photo=photo)
    day = today(turn)
    after = status(kind, day, day)
    return turn.reply(
        "duty.logged",
        kind=turn.say(f"duty.kind.{kind}"),
        village=village.name,
        code=village.code,
        date=day_text(turn, day),
        next=day_text(turn, after.due),
    )


def on_duty(turn: Turn) -> Outcome:
    villages = my_villages(turn)
    assert turn.officer is not None
    day = today(turn)
    done = duty.last_done(turn.session, turn.officer.id)
    last = {key: localtime.local_date(at, turn.services.settings) for key, at in done.items()}
    lines = [turn.say("duty.header", date=day_text(turn, day))]
    for village in villages:
        lines.append(turn.say("duty.village", village=village.name, code=village.code))
        for kind in KINDS:
            item = status(kind, last.get((village.id, kind)), day)
            lines.append(
                turn.say(
                    "duty.line",
                    kind=turn.say(f"duty.kind.{kind}"),
                    last=day_text(turn, item.last),
                    state=state_text(turn, item, day),
                )
            )
    lines.append(turn.say("duty.hint"))
    return Outcome.text("\n".join(lines))


COMMANDS = {"log": on_log, "duty": on_duty}
