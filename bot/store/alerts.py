"""Alerts to villagers: the job (one `Alert`) and its recipients (one `AlertDelivery` each).

A draft becomes a job when its sender confirms: the recipients are written then, in the same
transaction, one row per citizen (the unique pair alert + citizen makes each person get it once).
A sender claims due rows, records each send before making it (`start`), and marks each one sent,
rescheduled, failed or blocked. An alert goes at most once: when Telegram's answer is unknown (a
time-out, a crash between the call and its record), the row is given up, not sent again (a second
copy to hundreds of people is a nuisance; one missed copy of a warning is not a loss to chase).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.store import citizens, linked_groups
from bot.store.models import Citizen, Town, Village
from bot.store.models_outreach import Alert, AlertDelivery, AlertStatus, DeliveryStatus
from bot.store.roster import normalise_code
from bot.store.sql import rowcount
from bot.store.types import UTCDateTime, utcnow

log = logging.getLogger(__name__)

ALL = "all"
CLAIM_LEASE = timedelta(seconds=120)  # a claimed row is retried after this if its sender died
BACKOFF_BASE = 5.0  # seconds before the first retry of a network or server error; doubles each time
BACKOFF_MAX = 600.0


@dataclass(frozen=True)
class Due:
    """One recipient to send to now, as claimed (plain values: safe outside the session)."""

    id: int
    alert_id: int
    citizen_id: int | None  # None: a linked village group
    chat_id: int
    lang: str

    @property
    def group(self) -> bool:
        return self.citizen_id is None


@dataclass(frozen=True)
class Counts:
    total: int
    sent: int
    failed: int
    blocked: int
    pending: int

    @property
    def finished(self) -> int:
        return self.sent + self.failed + self.blocked


def scope_villages(session: Session, scope: str) -> list[Village] | None:
    """The villages of a scope (a village code, a town name or `all`); None when it names nothing."""
    if scope.strip().lower() == ALL:
        return list(session.scalars(select(Village).order_by(Village.code)))
    village = session.scalars(select(Village).where(Village.code == normalise_code(scope))).one_or_none()
    if village is not None:
        return [village]
    town = session.scalars(select(Town).where(Town.name == scope.strip())).one_or_none()
    if town is None:
        return None
    return list(session.scalars(select(Village).where(Village.town_id == town.id).order_by(Village.code)))


def _recipients(village_ids: list[int]) -> Select[int, int, str]:
    """Who an alert reaches: opted-in citizens of these villages who have not blocked the bot."""
    return select(Citizen.id, Citizen.chat_id, Citizen.lang).where(
        Citizen.village_id.in_(village_ids), Citizen.alerts_opt_in.is_(True), Citizen.blocked.is_(False)
    )


def recipients_by_lang(session: Session, village_ids: list[int]) -> dict[str, int]:
    """How many citizens an alert to these villages reaches, by language."""
    query = _recipients(village_ids).subquery()
    rows = session.execute(select(query.c.lang, func.count()).group_by(query.c.lang))
    return {lang: count for lang, count in rows}


def create(
    session: Session,
    *,
    scope: str,
    text_zh: str,
    text_en: str,
    photo: str | None,
    created_by: int,
    progress_chat_id: int | None,
) -> Alert:
    """A draft alert, waiting for its sender's confirmation."""
    alert = Alert(
        scope=scope,
        text_zh=text_zh,
        text_en=text_en,
        photo=photo,
        created_by=created_by,
        status=AlertStatus.DRAFT.value,
        total=0,
        progress_chat_id=progress_chat_id,
        created_at=utcnow(),
    )
    session.add(alert)
    session.flush()
    return alert


def get(session: Session, alert_id: int) -> Alert | None:
    """The alert with this id."""
    return session.get(Alert, alert_id)


def confirm(
    session: Session, alert_id: int, village_ids: list[int], *, group_lang: str = "zh", now: datetime | None = None
) -> int | None:
    """Draft -> sending: one delivery row per recipient (each opted-in villager, each linked group of
    the villages); their number, or None if no longer a draft.

    The status changes only where it is still `draft`, so two confirmations (two workers, a
    double tap) start one job; INSERT ... SELECT with ON CONFLICT DO NOTHING writes 20,000 rows
    in one statement, and never a second row for a pair."""
    now = now or utcnow()
    started = session.execute(
        update(Alert)
        .where(Alert.id == alert_id, Alert.status == AlertStatus.DRAFT)
        .values(status=AlertStatus.SENDING.value, started_at=now)
    )
    if rowcount(started) != 1:
        return None
    people = _recipients(village_ids).subquery()
    rows = select(
        literal(alert_id),
        people.c.id,
        people.c.chat_id,
        people.c.lang,
        literal(DeliveryStatus.PENDING.value),
        literal(0),
        literal(now, UTCDateTime()),
    ).where(people.c.id.is_not(None))  # SQLite needs a WHERE to tell ON CONFLICT from a join's ON
    columns = ["alert_id", "citizen_id", "chat_id", "lang", "status", "attempts", "next_attempt_at"]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(AlertDelivery).from_select(columns, rows)
    session.execute(statement.on_conflict_do_nothing(index_elements=["alert_id", "citizen_id"]))
    # the villages' linked groups, one row each, in the station's language (a few rows, not thousands)
    for chat in linked_groups.chats_of(session, village_ids):
        session.add(AlertDelivery(alert_id=alert_id, citizen_id=None, chat_id=chat, lang=group_lang,
                                  status=DeliveryStatus.PENDING.value, attempts=0, next_attempt_at=now))
    session.flush()
    total = session.scalars(select(func.count()).where(AlertDelivery.alert_id == alert_id)).one()
    session.execute(update(Alert).where(Alert.id == alert_id).values(total=total))
    return int(total)


def cancel(session: Session, alert_id: int) -> bool:
    """Drop a draft; False when it was not a draft any more."""
    result = session.execute(
        update(Alert)
        .where(Alert.id == alert_id, Alert.status == AlertStatus.DRAFT)
        .values(status=AlertStatus.CANCELLED.value, finished_at=utcnow())
    )
    return rowcount(result) == 1


def sending(session: Session) -> list[Alert]:
    """The jobs under way, oldest first."""
    return list(session.scalars(select(Alert).where(Alert.status == AlertStatus.SENDING).order_by(Alert.id)))


def claim_due(
    session: Session, *, limit: int = 60, lease: timedelta = CLAIM_LEASE, now: datetime | None = None
) -> list[Due]:
    """Take up to `limit` due recipients of jobs under way, in order, and hide them for `lease`.

    PostgreSQL: FOR UPDATE OF the delivery rows SKIP LOCKED, so concurrent workers claim
    different rows (the alert row is not locked: every worker reads it). SQLite's transactions
    already hold the write lock (BEGIN IMMEDIATE). Commit the claim before sending."""
    now = now or utcnow()
    statement = (
        select(AlertDelivery)
        .join(Alert, Alert.id == AlertDelivery.alert_id)
        .where(
            Alert.status == AlertStatus.SENDING,
            AlertDelivery.status == DeliveryStatus.PENDING,
            AlertDelivery.next_attempt_at <= now,
        )
        .order_by(AlertDelivery.alert_id, AlertDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=AlertDelivery)
    )
    rows = list(session.scalars(statement))
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + lease
        if row.sending_since is not None:  # its sender died after the call, before the record: at most once
            row.status, row.sending_since = DeliveryStatus.FAILED.value, None
            row.error = "outcome unknown: the sender stopped before Telegram's answer was recorded; not sent again"
            log.warning("alert #%d: delivery %d outcome unknown; not sent again", row.alert_id, row.id)
    session.flush()
    return [Due(r.id, r.alert_id, r.citizen_id, r.chat_id, r.lang) for r in rows if r.status == DeliveryStatus.PENDING]


def start(session: Session, delivery_id: int, *, now: datetime | None = None) -> None:
    """Record that the call is about to be made: until it is finished, the outcome is unknown."""
    session.execute(
        update(AlertDelivery).where(AlertDelivery.id == delivery_id).values(sending_since=now or utcnow())
    )


def mark_unknown(session: Session, delivery_id: int, error: str) -> bool:
    """Telegram's answer never came (it may have the message): given up, not sent again (at most once)."""
    return _finish(session, delivery_id, DeliveryStatus.FAILED, f"outcome unknown: {error}; not sent again")


def mark_sent(session: Session, delivery_id: int, *, now: datetime | None = None) -> bool:
    """Record that Telegram accepted the message; False if the row was not pending any more."""
    return _finish(session, delivery_id, DeliveryStatus.SENT, None, sent_at=now or utcnow())


def mark_failed(session: Session, delivery_id: int, error: str) -> bool:
    """The message itself was refused (a bad request): not retried."""
    return _finish(session, delivery_id, DeliveryStatus.FAILED, error)


def mark_blocked(session: Session, chat_id: int, error: str) -> int:
    """The villager blocked the bot, or a group removed it: this and their other pending alerts stop;
    the villager is flagged, the group unlinked (nothing more goes there)."""
    statement = (
        update(AlertDelivery)
        .where(AlertDelivery.chat_id == chat_id, AlertDelivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.BLOCKED.value, error=error[:2000], sending_since=None)
    )
    stopped = rowcount(session.execute(statement))
    if linked_groups.unlink(session, chat_id):
        log.info("alert to group %d: the bot was removed from it; unlinked", chat_id)
    citizens.mark_blocked(session, chat_id)
    return stopped


def reschedule(
    session: Session,
    delivery_id: int,
    error: str,
    *,
    retry_after: float | None = None,
    max_attempts: int = 8,
    backoff: float = BACKOFF_BASE,
    now: datetime | None = None,
) -> str:
    """Try again later: after `retry_after` (a 429, never counted against the row), else after a
    doubling backoff, until `max_attempts`. Returns the row's status."""
    row = session.get(AlertDelivery, delivery_id)
    if row is None or row.status != DeliveryStatus.PENDING:
        return row.status if row else DeliveryStatus.FAILED.value
    now = now or utcnow()
    row.error = error[:2000]
    row.sending_since = None
    if retry_after is not None:
        row.next_attempt_at = now + timedelta(seconds=retry_after)
        row.attempts = max(row.attempts - 1, 0)
    elif row.attempts >= max_attempts:
        row.status = DeliveryStatus.FAILED.value
    else:
        row.next_attempt_at = now + timedelta(seconds=min(backoff * 2 ** max(row.attempts - 1, 0), BACKOFF_MAX))
    session.flush()
    return row.status


def release(session: Session, delivery_ids: list[int], *, now: datetime | None = None) -> None:
    """Give back claimed rows that were never sent (a clean stop), so a restart takes them at once."""
    if not delivery_ids:
        return
    session.execute(
        update(AlertDelivery)
        .where(AlertDelivery.id.in_(delivery_ids), AlertDelivery.status == DeliveryStatus.PENDING)
        .values(next_attempt_at=now or utcnow(), attempts=AlertDelivery.attempts - 1)
    )


def release_orphans(session: Session, *, now: datetime | None = None) -> int:
    """A worker that died holding the send lease left rows claimed: due at once for the new holder,
    rather than after their claim's lease (`CLAIM_LEASE`). Those never tried (no call made, no error
    met) are sent; those it was sending (`sending_since`) are settled by the next claim (at most once).
    Only the lease holder sends, so any such claim is the dead worker's. Returns how many."""
    now = now or utcnow()
    claimed = (AlertDelivery.status == DeliveryStatus.PENDING, AlertDelivery.next_attempt_at > now)
    untried = update(AlertDelivery).where(
        *claimed, AlertDelivery.sending_since.is_(None), AlertDelivery.error.is_(None), AlertDelivery.attempts > 0
    )
    sending = update(AlertDelivery).where(*claimed, AlertDelivery.sending_since.is_not(None))
    return rowcount(session.execute(untried.values(next_attempt_at=now, attempts=AlertDelivery.attempts - 1))) + (
        rowcount(session.execute(sending.values(next_attempt_at=now)))
    )


def counts(session: Session, alert_id: int) -> Counts:
    """Where the job stands: how many sent, failed, blocked and still to go."""
    statement = (
        select(AlertDelivery.status, func.count())
        .where(AlertDelivery.alert_id == alert_id)
        .group_by(AlertDelivery.status)
    )
    by = {status: n for status, n in session.execute(statement)}
    total = sum(by.values())
    return Counts(total, by.get("sent", 0), by.get("failed", 0), by.get("blocked", 0), by.get("pending", 0))


def finish(session: Session, alert_id: int, *, now: datetime | None = None) -> bool:
    """Sending -> done once no recipient is pending; True for the one caller that made the change."""
    pending = select(AlertDelivery.id).where(
        AlertDelivery.alert_id == alert_id, AlertDelivery.status == DeliveryStatus.PENDING
    )
    statement = (
        update(Alert)
        .where(Alert.id == alert_id, Alert.status == AlertStatus.SENDING, ~pending.exists())
        .values(status=AlertStatus.DONE.value, finished_at=now or utcnow())
    )
    return rowcount(session.execute(statement)) == 1


def set_progress_message(session: Session, alert_id: int, message_id: int | None) -> None:
    """Remember the sender's progress message, so a restarted bot edits the same one."""
    session.execute(update(Alert).where(Alert.id == alert_id).values(progress_message_id=message_id))


def _finish(session: Session, delivery_id: int, status: DeliveryStatus, error: str | None, **extra: object) -> bool:
    statement = (
        update(AlertDelivery)
        .where(AlertDelivery.id == delivery_id, AlertDelivery.status == DeliveryStatus.PENDING)
        .values(status=status.value, error=error[:2000] if error else None, sending_since=None, **extra)
    )
    return rowcount(session.execute(statement)) == 1
