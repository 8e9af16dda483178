"""What the bot is used for: questions asked (and which fell back) and scam checks, for the report."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from bot import metrics
from bot.logs import mask
from bot.store.models_outreach import AskedQuestion, ScamCheck
from bot.store.sql import insert_row

MAX_TEXT = 2000


class MatchLike(Protocol):
    # read-only members, so frozen dataclasses (intents.matcher.Match) fit
    @property
    def intent(self) -> str | None: ...

    @property
    def score(self) -> float: ...


class VerdictLike(Protocol):
    @property
    def verdict(self) -> str: ...

    @property
    def risk(self) -> float: ...

    @property
    def type(self) -> str | None: ...


def record_question(session: Session, citizen_id: int | None, text: str, match: MatchLike) -> None:
    """Log a question and its match; phone and ID numbers are masked, long texts cut."""
    row = {
        "citizen_id": citizen_id,
        "text": mask(text)[:MAX_TEXT],
        "intent": match.intent,
        "score": float(match.score),
        "fallback": match.intent is None,
    }
    insert_row(session, AskedQuestion, row)
    metrics.note("questions")
    if match.intent is None:
        metrics.note("fallbacks")


def record_check(session: Session, citizen_id: int | None, text: str, verdict: VerdictLike) -> None:
    """Log a scam check and its verdict (the text masked and cut)."""
    row = {
        "citizen_id": citizen_id,
        "text": mask(text)[:MAX_TEXT],
        "verdict": verdict.verdict,
        "risk": float(verdict.risk),
        "type": verdict.type,
    }
    insert_row(session, ScamCheck, row)
    metrics.note("verdicts", verdict.verdict)
