"""Group chats: what the bot says where everyone in the group reads it.

Nothing about a person is ever said in a group. A villager's own business (their village, their
requests, their language, their alerts) gets "message me privately" and a button that opens the
private chat. Staff work (request cards, the queue, alerts, reports) is done in private chats and
at the town's duty desk, a group of its own, never in a village group. A reply in a group is never
relayed to a villager or an officer, except an officer's reply to a card at the duty desk.

One table decides; the handlers of each role never need to know where they were called from.
In a group linked to a village (`/linkgroup`, bot/core/group_links.py) the bot also guards the
conversation: a post that is surely a scam gets a short warning (bot/core/guard.py).
"""

from __future__ import annotations

from bot.core import guard
from bot.core.turn import Turn
from bot.core.types import Button, Outcome, Reply
from bot.store import citizens, linked_groups, roster

# Answered in any group: nothing in the answer is about the person who asked. Linking a group is
# done in the group itself (its chat id is where the command was said), by the village's officer.
ANY_GROUP = frozenset({"check", "linkgroup", "unlinkgroup"})
# At a duty desk, a group of the station's staff: the staff's commands and the cards' buttons.
AT_DESK = frozenset({"accept", "reply", "done", "queue", "duty", "log", "kiosk", "alert", "report", "help", "check"})
DESK_BUTTONS = frozenset({"acc", "ask", "done", "alert", "out"})  # out: a dispute's outcome at Done


def gate(turn: Turn) -> Outcome | None:
    """None when a message said in a group may be handled as usual; else the group's answer."""
    msg = turn.msg
    if msg.kind == "joined":
        citizens.resume_held(turn.session, msg.chat_id)  # a desk that removed the bot gets what waited for it
        return Outcome((Reply(turn.say("group.joined"), (private_button(turn),)),))
    if msg.kind == "left":
        linked_groups.unlink(turn.session, msg.chat_id)  # removed from the group: nothing more goes there
        return Outcome()
    if msg.kind == "edited":
        return Outcome()  # judged when it was first posted
    at_desk = roster.town_by_duty_chat(turn.session, msg.chat_id) is not None
    if msg.command == "help" and not at_desk:
        return Outcome((Reply(turn.say("group.help"), (private_button(turn),)),))
    if msg.command is not None:
        if msg.command in (AT_DESK if at_desk else ANY_GROUP):
            return None
        return private_only(turn)
    if msg.button is not None:
        return None if at_desk and msg.button.split(":", 1)[0] in DESK_BUTTONS else private_only(turn)
    if msg.reply_to is not None and at_desk:
        return None  # an officer answering a card at the desk: relayed as from a private chat
    if msg.kind in ("text", "photo") and linked_groups.get(turn.session, msg.chat_id) is not None:
        return guard.on_post(turn, private_button(turn))  # said to the group: answered only if surely a scam
    if msg.reply_to is not None or msg.forwarded:
        return private_only(turn)  # addressed to the bot, but about the person: privately
    return Outcome()  # the group's own conversation: not addressed to the bot


def private_only(turn: Turn) -> Outcome:
    return Outcome((Reply(turn.say("group.private_only"), (private_button(turn),)),))


def private_button(turn: Turn) -> tuple[Button, ...]:
    """The button that opens the bot's private chat (Telegram's link to the bot)."""
    username = turn.services.settings.telegram.bot_username
    return (Button(turn.say("button.private_chat"), url=f"https://t.me/{username}"),)


def on_membership(turn: Turn) -> Outcome:
    """The bot added to or removed from a private chat: the person unblocked or blocked it (when they
    unblock it, the messages held for them go out)."""
    citizens.mark_blocked(turn.session, turn.msg.chat_id, turn.msg.kind == "left")
    return Outcome()
