""""Is this a scam?": a forwarded message or `/check TEXT` gets a verdict, the reasons and what to do;
a scam can be reported to the village officer as a request with the message attached."""

from __future__ import annotations

import logging

from bot.core import groups, intake
from bot.core.answers import answer_reply
from bot.core.turn import Turn
from bot.core.types import Button, Outcome, Reply
from bot.errors import BadArguments
from bot.store import usage

log = logging.getLogger(__name__)

CHECKED = "after_check"  # not a step: remembers the message a villager may report
REPORT_KIND = "fraud.report_suspicious"
MAX_TEXT = 4000


def on_check(turn: Turn) -> Outcome:
    """`/check TEXT`, or `/check` as a reply to the message to check."""
    text = " ".join(turn.msg.args).strip() or turn.msg.reply_to_text.strip()
    if not text:
        raise BadArguments(usage=turn.say("check.usage"))
    return verdict(turn, text)


def on_forwarded(turn: Turn) -> Outcome:
    return verdict(turn, turn.msg.text)


def verdict(turn: Turn, text: str) -> Outcome:
    """The checker's verdict in plain words, its reasons, and the advice of the fraud type."""
    result = turn.knowledge.checker.check(text)
    log.info("scam check verdict=%s risk=%.2f type=%s", result.verdict, result.risk, result.type)
    usage.record_check(turn.session, turn.citizen.id, text, result)
    lines = [turn.say(f"check.{result.verdict}", risk=round(result.risk * 100))]
    if result.reasons:
        lines.append(turn.say("check.reasons"))
        lines += [f"• {r.get(turn.lang)}" for r in result.reasons[:6]]
    replies = [Reply("\n".join(lines))]
    if result.scam and turn.msg.in_group:  # the advice for all to read; a report is made privately
        advice = answer_reply(turn.knowledge, result.type or "fraud.general_tips", turn.lang)
        replies.append(Reply(f"{turn.say('check.advice')}\n{advice.text}", (groups.private_button(turn),)))
    elif result.scam:
        turn.set_state(CHECKED, text=text[:MAX_TEXT], type=result.type)
        advice = answer_reply(turn.knowledge, result.type or "fraud.general_tips", turn.lang)
        report = Button(turn.say("button.report"), "report")
        replies.append(Reply(f"{turn.say('check.advice')}\n{advice.text}", ((report,),)))
    return Outcome(tuple(replies))


def on_report(turn: Turn) -> Outcome:
    """"Report to my officer": a request with the checked message as its details."""
    if turn.state != CHECKED:
        return turn.reply("nothing_to_cancel")
    return intake.start(turn, REPORT_KIND, turn.data.get("text", ""))


COMMANDS = {"check": on_check}
BUTTONS = {"report": on_report}
