"""The review loop's queue: asked questions that fell back or were answered with a low score, each
offered once (bot/review.py)."""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.store.models_outreach import AskedQuestion
from bot.store.types import utcnow

SKIP = "skip"
LOW = 0.1  # "scored low": answered with a confidence less than this above the threshold


def next_pending(session: Session, threshold: float) -> AskedQuestion | None:
    """The oldest question not reviewed yet that fell back or was answered barely."""
    statement = (
        select(AskedQuestion)
        .where(AskedQuestion.review.is_(None))
        .where(or_(AskedQuestion.fallback.is_(True), AskedQuestion.score < threshold + LOW))
        .order_by(AskedQuestion.id)
        .limit(1)
    )
    return session.scalars(statement).first()


def get(session: Session, question_id: int) -> AskedQuestion | None:
    return session.get(AskedQuestion, question_id)


def mark(session: Session, question: AskedQuestion, label: str, who: str) -> int:
    """Record the label of `question`, and of every pending question with the same (masked) text:
    the same words are not offered again. Returns how many were marked."""
    result = session.execute(
        update(AskedQuestion)
        .where(AskedQuestion.review.is_(None))
        .where(or_(AskedQuestion.id == question.id, AskedQuestion.text == question.text))
        .values(review=label, reviewed_by=who[:64], reviewed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.expire(question)
    return int(getattr(result, "rowcount", 0) or 0)
