"""Outreach and use in the period: alerts and their reach, scam checks and their verdicts, and the
questions the FAQ could not answer (grouped by text, so the FAQ can grow where people ask)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.report.period import Span
from bot.store.models_outreach import Alert, AlertDelivery, AlertStatus, AskedQuestion, DeliveryStatus, ScamCheck

VERDICTS = ("scam", "suspicious", "safe")


@dataclass(frozen=True)
class AlertReach:
    alert: Alert
    by_status: dict[str, int]  # delivery status -> recipients

    @property
    def recipients(self) -> int:
        return sum(self.by_status.values())

    @property
    def delivered(self) -> int:
        return self.by_status.get(DeliveryStatus.SENT.value, 0)

    @property
    def reach(self) -> float | None:
        return self.delivered / self.recipients if self.recipients else None


@dataclass(frozen=True)
class Fallback:
    text: str
    times: int
    first: datetime
    last: datetime


@dataclass(frozen=True)
class UsageFigures:
    alerts: list[AlertReach]
    checks: Counter[tuple[str, str | None]]  # (verdict, fraud type) -> checks
    questions: int
    fallbacks: list[Fallback]  # most asked first

    @property
    def verdicts(self) -> Counter[str]:
        counts: Counter[str] = Counter({v: 0 for v in VERDICTS})
        for (verdict, _), n in self.checks.items():
            counts[verdict] += n
        return counts

    @property
    def recipients(self) -> int:
        return sum(a.recipients for a in self.alerts)

    @property
    def delivered(self) -> int:
        return sum(a.delivered for a in self.alerts)

    @property
    def reach(self) -> float | None:
        return self.delivered / self.recipients if self.recipients else None


def alert_reach(session: Session, span: Span) -> list[AlertReach]:
    """Alerts created in the period (not drafts), with their recipients by delivery status."""
    alerts = list(
        session.scalars(
            select(Alert)
            .where(Alert.created_at >= span.start, Alert.created_at < span.end, Alert.status != AlertStatus.DRAFT)
            .order_by(Alert.created_at, Alert.id)
        )
    )
    counts: dict[int, dict[str, int]] = {a.id: {} for a in alerts}
    if alerts:
        statement = (
            select(AlertDelivery.alert_id, AlertDelivery.status, func.count())
            .where(AlertDelivery.alert_id.in_(counts))
            .group_by(AlertDelivery.alert_id, AlertDelivery.status)
        )
        for alert_id, status, n in session.execute(statement):
            counts[alert_id][status] = n
    return [AlertReach(a, counts[a.id]) for a in alerts]


def scam_checks(session: Session, span: Span) -> Counter[tuple[str, str | None]]:
    statement = (
        select(ScamCheck.verdict, ScamCheck.type, func.count())
        .where(ScamCheck.at >= span.start, ScamCheck.at < span.end)
        .group_by(ScamCheck.verdict, ScamCheck.type)
    )
    return Counter({(verdict, kind): n for verdict, kind, n in session.execute(statement)})


def fallbacks(session: Session, span: Span) -> list[Fallback]:
    """Unanswered questions, the same words (ignoring case and spaces) counted together."""
    statement = (
        select(AskedQuestion)
        .where(AskedQuestion.at >= span.start, AskedQuestion.at < span.end, AskedQuestion.fallback.is_(True))
        .order_by(AskedQuestion.at, AskedQuestion.id)
    )
    groups: dict[str, list[AskedQuestion]] = {}
    for row in session.scalars(statement):
        groups.setdefault(" ".join(row.text.lower().split()), []).append(row)
    found = [Fallback(rows[0].text, len(rows), rows[0].at, rows[-1].at) for rows in groups.values()]
    return sorted(found, key=lambda f: (-f.times, f.first))


def questions(session: Session, span: Span) -> int:
    statement = select(func.count()).where(AskedQuestion.at >= span.start, AskedQuestion.at < span.end)
    return session.scalars(statement).one()


def usage_figures(session: Session, span: Span) -> UsageFigures:
    return UsageFigures(
        alert_reach(session, span), scam_checks(session, span), questions(session, span), fallbacks(session, span)
    )
