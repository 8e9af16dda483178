"""Linking a village's Telegram group: `/linkgroup CODE` said in the group by that village's officer
or an admin, `/unlinkgroup` there, and admins' `/groups` in private with an Unlink button each.
The group's chat id comes from where the command is said; nobody ever types it."""

from __future__ import annotations

import logging
import re

from bot.core.turn import Turn
from bot.core.types import Button, Outcome, Reply
from bot.errors import BadArguments, NotAllowed, UserError
from bot.store import linked_groups, roster
from bot.store.models import Village

log = logging.getLogger(__name__)

UNLINK = "unlink"
_CHAT_ID = re.compile(r"-?\d{1,19}")  # a Telegram chat id fits a signed 64-bit integer


def on_link(turn: Turn) -> Outcome:
    """`/linkgroup CODE` in a group: the group becomes the village's (guarded, reached by its alerts)."""
    if not turn.msg.in_group:
        return turn.reply("group.link_in_group")
    if not turn.msg.args:
        raise BadArguments(usage=turn.say("group.link_usage"))
    village = roster.village_by_code(turn.session, turn.msg.args[0])
    if village is None:
        raise UserError("group.unknown_village", code=turn.msg.args[0][:20])
    may_link(turn, village)
    linked_groups.link(turn.session, turn.msg.chat_id, village.id, turn.msg.chat_title, turn.msg.user_id)
    log.info("group %s linked to %s by user=%s", turn.msg.chat_id, village.code, turn.msg.user_id)
    return turn.reply("group.linked", village=village.name)


def on_unlink(turn: Turn) -> Outcome:
    """`/unlinkgroup` in a linked group, by its village's officer or an admin."""
    if not turn.msg.in_group:
        return turn.reply("group.link_in_group")
    link = linked_groups.get(turn.session, turn.msg.chat_id)
    if link is None:
        return turn.reply("group.not_linked")
    village = roster.village(turn.session, link.village_id)
    assert village is not None, "a link's village exists (foreign key)"
    may_link(turn, village)
    linked_groups.unlink(turn.session, turn.msg.chat_id)
    log.info("group %s unlinked from %s by user=%s", turn.msg.chat_id, village.code, turn.msg.user_id)
    return turn.reply("group.unlinked", village=village.name)


def may_link(turn: Turn, village: Village) -> None:
    """Admins link any group; an officer only to a village they are assigned to."""
    if turn.is_admin or (turn.officer is not None and roster.is_assigned(turn.session, turn.officer.id, village.id)):
        return
    log.warning("refused user=%s linking group %s to %s", turn.msg.user_id, turn.msg.chat_id, village.code)
    raise NotAllowed("group.link_not_allowed")


def on_groups(turn: Turn) -> Outcome:
    """Admins' `/groups`: the linked groups, each with its Unlink button."""
    require_admin(turn)
    found = linked_groups.listing(turn.session)
    if not found:
        return turn.reply("group.none_linked")
    lines = [turn.say("group.list_head", count=len(found))]
    lines += [f"• {g.title or g.chat_id} — {g.village_code} {g.village_name}" for g in found]
    rows = tuple(
        (Button(turn.say("button.unlink", title=(g.title or str(g.chat_id))[:40]), f"{UNLINK}:{g.chat_id}"),)
        for g in found
    )
    return Outcome((Reply("\n".join(lines), rows),))


def on_unlink_button(turn: Turn) -> Outcome:
    """The Unlink button of `/groups` (`unlink:<chat id>`): a forged or stale one is told so."""
    require_admin(turn)
    data = (turn.msg.button or "").partition(":")[2]
    chat_id = int(data) if _CHAT_ID.fullmatch(data) else None
    if chat_id is None or not linked_groups.unlink(turn.session, chat_id):
        return turn.reply("group.unlink_unknown")
    log.info("group %s unlinked by admin user=%s", chat_id, turn.msg.user_id)
    return turn.reply("group.unlinked_by_admin")


def require_admin(turn: Turn) -> None:
    if not turn.is_admin:
        log.warning("refused user=%s: group links are for admins", turn.msg.user_id)
        raise NotAllowed("group.admins_only")


COMMANDS = {"linkgroup": on_link, "unlinkgroup": on_unlink, "groups": on_groups}
BUTTONS = {UNLINK: on_unlink_button}
