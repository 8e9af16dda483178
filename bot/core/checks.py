""""Is this a scam?": a forwarded message or `/check TEXT` gets a verdict, the reasons and what to do;
a scam can be reported to the village officer as a request with the message attached."""

from __future__ import annotations

import logging

from bot.core import groups, intake
from bot.core.answers import more_reply
from bot.core.turn import Turn
from bot.core.types import Button, Outcome, Reply
from bot.errors import BadArguments
from bot.store import usage
from intents.faq import MAX_FIRST, Intent
from intents.scamcheck import Verdict

log = logging.getLogger(__name__)

CHECKED = "after_check"  # not a step: remembers the message a villager may report
PASTE = "check_paste"  # after "🔍 查可疑消息": the next text is the message to check
REPORT_KIND = "fraud.report_suspicious"
GENERAL = "fraud.general_tips"  # the advice when the checker names no fraud type
MAX_TEXT = 4000


def on_check(turn: Turn) -> Outcome:
    """`/check TEXT`, or `/check` as a reply to the message to check."""
    text = " ".join(turn.msg.args).strip() or turn.msg.reply_to_text.strip()
    if not text:
        raise BadArguments(usage=turn.say("check.usage"))
    return verdict(turn, text)


def on_forwarded(turn: Turn) -> Outcome:
    if turn.state == PASTE:
        turn.set_state(None)
    return verdict(turn, turn.msg.text)


def verdict(turn: Turn, text: str) -> Outcome:
    """The checker's verdict in plain words. A scam: the verdict and what to do now in one short
    message, the reasons and the full advice behind "More"; otherwise the verdict and its reasons."""
    result = turn.knowledge.check(text)
    log.info("scam check verdict=%s risk=%.2f type=%s", result.verdict, result.risk, result.type)
    usage.record_check(turn.session, turn.citizen.id, text, result)
    said = turn.say(f"check.{result.verdict}", risk=round(result.risk * 100))
    if not result.scam:
        return Outcome((Reply("\n".join([said, *reasons(turn, result)])),))
    advice = turn.knowledge.faq.get(result.type) or turn.knowledge.faq[GENERAL]
    more = Button(turn.say("button.more"), f"why:{advice.id}")
    first = first_message(said, advice, turn.lang)
    if turn.msg.in_group:  # for all to read; a report is made privately
        return Outcome((Reply(first, ((more, *groups.private_button(turn)),)),))
    turn.set_state(CHECKED, text=text[:MAX_TEXT], type=result.type)
    report = Button(turn.say("button.report"), "report")
    return Outcome((Reply(first, ((more, report),)),))


def first_message(said: str, advice: Intent, lang: str) -> str:
    """A scam verdict's first message: the verdict (it says what to do) and the scam's own lead, or
    else its name, whichever fits one screen (`MAX_FIRST`); the rest is behind "More"."""
    for extra in (advice.lead.get(lang), f"【{advice.title.get(lang)}】"):
        if len(first := f"{said}\n{extra}") <= MAX_FIRST:
            return first
    return said


def reasons(turn: Turn, result: Verdict) -> list[str]:
    if not result.reasons:
        return []
    return [turn.say("check.reasons"), *(f"• {r.get(turn.lang)}" for r in result.reasons[:6])]


def on_why(turn: Turn) -> Outcome:
    """"More" under a scam verdict: why (the message checked again, when it is still remembered),
    then the fraud type's whole answer."""
    intent_id = (turn.msg.button or "").partition(":")[2]
    if intent_id not in turn.knowledge.faq.intents:
        return turn.reply("unsupported.other")
    why = reasons(turn, turn.knowledge.check(turn.data.get("text", ""))) if turn.state == CHECKED else []
    advice = more_reply(turn.knowledge, intent_id, turn.lang)
    report = ((Button(turn.say("button.report"), "report"),),) if turn.state == CHECKED else ()
    return Outcome((Reply("\n".join([*why, turn.say("check.advice"), advice.text]), report),))


def on_paste_prompt(turn: Turn) -> Outcome:
    """The "check a suspicious message" button: paste it or forward it."""
    turn.set_state(PASTE)
    return turn.reply("check.paste_prompt")


def on_pasted(turn: Turn) -> Outcome:
    turn.set_state(None)
    return verdict(turn, turn.msg.text)


def on_report(turn: Turn) -> Outcome:
    """"Report to my officer": a request with the checked message as its details."""
    if turn.state != CHECKED:
        return turn.reply("nothing_to_cancel")
    return intake.start(turn, REPORT_KIND, turn.data.get("text", ""))


COMMANDS = {"check": on_check}
BUTTONS = {"report": on_report, "why": on_why}
STEPS = {PASTE: on_pasted}
