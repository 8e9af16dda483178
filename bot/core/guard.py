"""The guard of a linked village group: a scam post gets a short warning, replying to it.

The bot reads a group's own conversation only as its admin or with privacy mode off, and only in a
group linked to a village. Everything else said there stays unanswered: small talk, a
"suspicious" verdict, a scam verdict short of `thresholds.group` (faq/scam_rules.yaml), because a
false alarm in a group is read by everyone and teaches them to ignore the bot.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable

from bot.core.turn import Turn
from bot.core.types import Button, Outcome, Reply
from intents.scamcheck import Verdict

log = logging.getLogger(__name__)

PER_MINUTE = 20  # Telegram's limit for one group: about 20 messages a minute


class Budget:
    """At most `per_minute` warnings a minute to each group; over it, a warning is skipped, not
    queued (a warning minutes late is noise). Kept in the core's process: one bot, one budget.
    A deque per group rather than a rate-limiting library: twenty timestamps, no waiting wanted."""

    def __init__(self, per_minute: int = PER_MINUTE, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._sent: dict[int, deque[float]] = {}

    def take(self, chat_id: int) -> bool:
        """True (and counted) when the group may get one more warning now."""
        now = self.clock()
        sent = self._sent.setdefault(chat_id, deque())
        while sent and now - sent[0] >= 60.0:
            sent.popleft()
        if len(sent) >= self.per_minute:
            return False
        sent.append(now)
        return True


BUDGET = Budget()


def answers(verdict: Verdict, group_at: float) -> bool:
    """Whether a group post with this verdict gets a warning: a scam, and a sure one."""
    return verdict.verdict == "scam" and verdict.risk >= group_at


def on_post(turn: Turn, private_button: tuple[Button, ...]) -> Outcome:
    """A post in a linked group (text, caption or forward): a warning if it is surely a scam."""
    text = turn.msg.text.strip()
    if not text:
        return Outcome()
    checker = turn.knowledge.checker
    verdict = turn.knowledge.check(text)
    if not answers(verdict, checker.rules.group_at):
        return Outcome()
    if not BUDGET.take(turn.msg.chat_id):
        log.warning("group %s: scam post not answered, over %d warnings a minute", turn.msg.chat_id, BUDGET.per_minute)
        return Outcome()
    log.info("group %s: scam post answered (risk=%.2f type=%s)", turn.msg.chat_id, verdict.risk, verdict.type)
    faq = turn.knowledge.faq
    known = verdict.type is not None and verdict.type in faq.intents
    kind = faq[verdict.type].title.get(turn.lang) if known and verdict.type else turn.say("guard.kind")
    text = f"{turn.say('guard.warning', kind=kind)}\n{turn.say('guard.advice')}"
    return Outcome((Reply(text, (private_button,), reply_to=turn.msg.message_id),))
