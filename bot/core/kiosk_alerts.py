"""Officers feed the station's talking kiosk: `/kiosk TEXT` stores a new spoken warning."""

from __future__ import annotations

import logging

from bot.core import language
from bot.core.turn import Turn
from bot.core.types import Outcome
from bot.errors import BadArguments, NotAllowed
from voice.alert_store import add_alert

log = logging.getLogger(__name__)
MAX_TEXT = 500  # a spoken alert stays short: well under a minute


def on_kiosk(turn: Turn) -> Outcome:
    if turn.officer is None and not turn.is_admin:
        log.warning("refused user=%s command=kiosk: neither officer nor admin", turn.msg.user_id)
        raise NotAllowed("officer.only")
    text = " ".join(turn.msg.args).strip()
    if not text:
        raise BadArguments(usage=turn.say("kiosk.usage"))
    days = turn.services.settings.kiosk.alert_days
    author = f"officer:{turn.officer.id}" if turn.officer else f"admin:{turn.msg.user_id}"
    add_alert(turn.session, text[:MAX_TEXT], language.detect(text) or "zh", author, days)
    return turn.reply("kiosk.added", days=f"{days:g}")


COMMANDS = {"kiosk": on_kiosk}
