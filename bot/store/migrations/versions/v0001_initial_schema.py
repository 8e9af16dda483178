"""Initial schema: roster, citizens, requests and their events, outbox, seen updates, links, alerts.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The app stores UTC, timezone-aware datetimes and JSON as text (bot.store.types).
TIME = sa.DateTime(timezone=True)
# Quoted: PRIMARY is a reserved word. Valid as a condition on both SQLite and PostgreSQL.
OPEN_PRIMARY = sa.text('"primary" AND end_at IS NULL')


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "towns",
        _id(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("duty_chat_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_towns"),
        sa.UniqueConstraint("name", name="uq_towns_name"),
    )
    op.create_table(
        "villages",
        _id(),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("town_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["town_id"], ["towns.id"], name="fk_villages_town_id_towns"),
        sa.PrimaryKeyConstraint("id", name="pk_villages"),
        sa.UniqueConstraint("code", name="uq_villages_code"),
    )
    op.create_index("ix_villages_town_id", "villages", ["town_id"])
    op.create_table(
        "officers",
        _id(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("photo", sa.String(255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_officers"),
        sa.UniqueConstraint("telegram_id", name="uq_officers_telegram_id"),
    )
    op.create_table(
        "assignments",
        _id(),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("primary", sa.Boolean(), nullable=False),
        sa.Column("start_at", TIME, nullable=False),
        sa.Column("end_at", TIME, nullable=True),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], name="fk_assignments_officer_id_officers"),
        sa.ForeignKeyConstraint(["village_id"], ["villages.id"], name="fk_assignments_village_id_villages"),
        sa.PrimaryKeyConstraint("id", name="pk_assignments"),
    )
    op.create_index("ix_assignments_officer_id", "assignments", ["officer_id"])
    op.create_index("ix_assignments_village_id", "assignments", ["village_id"])
    op.create_index(
        "uq_assignments_open_primary",
        "assignments",
        ["village_id"],
        unique=True,
        sqlite_where=OPEN_PRIMARY,
        postgresql_where=OPEN_PRIMARY,
    )
    op.create_table(
        "citizens",
        _id(),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.Column("alerts_opt_in", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("state", sa.String(64), nullable=True),
        sa.Column("state_data", sa.Text(), nullable=True),
        sa.CheckConstraint("lang IN ('zh', 'en')", name="ck_citizens_lang"),
        sa.ForeignKeyConstraint(["village_id"], ["villages.id"], name="fk_citizens_village_id_villages"),
        sa.PrimaryKeyConstraint("id", name="pk_citizens"),
        sa.UniqueConstraint("user_id", name="uq_citizens_user_id"),
    )
    op.create_index("ix_citizens_village_id", "citizens", ["village_id"])
    op.create_table(
        "requests",
        _id(),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("contact_phone", sa.String(20), nullable=True),
        sa.Column("attachments", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("accept_deadline", TIME, nullable=False),
        sa.Column("escalated_at", TIME, nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("accepted_at", TIME, nullable=True),
        sa.Column("closed_at", TIME, nullable=True),
        sa.Column("updated_at", TIME, nullable=False),
        sa.CheckConstraint("status IN ('open', 'waiting', 'accepted', 'done', 'cancelled')", name="ck_requests_status"),
        sa.ForeignKeyConstraint(["citizen_id"], ["citizens.id"], name="fk_requests_citizen_id_citizens"),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], name="fk_requests_officer_id_officers"),
        sa.ForeignKeyConstraint(["village_id"], ["villages.id"], name="fk_requests_village_id_villages"),
        sa.PrimaryKeyConstraint("id", name="pk_requests"),
    )
    op.create_index("ix_requests_citizen_id", "requests", ["citizen_id"])
    op.create_index("ix_requests_officer_id", "requests", ["officer_id"])
    op.create_index("ix_requests_village_id", "requests", ["village_id"])
    op.create_index("ix_requests_status_deadline", "requests", ["status", "accept_deadline"])
    op.create_table(
        "request_events",
        _id(),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("actor", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.CheckConstraint("actor IN ('citizen', 'officer', 'system', 'desk')", name="ck_request_events_actor"),
        sa.ForeignKeyConstraint(["request_id"], ["requests.id"], name="fk_request_events_request_id_requests"),
        sa.PrimaryKeyConstraint("id", name="pk_request_events"),
    )
    op.create_index("ix_request_events_request_id", "request_events", ["request_id"])
    op.create_table(
        "outbox",
        _id(),
        sa.Column("dedupe_key", sa.String(200), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TIME, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("telegram_message_id", sa.BigInteger(), nullable=True),
        sa.Column("ref", sa.String(100), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("sent_at", TIME, nullable=True),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed', 'blocked')", name="ck_outbox_status"),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
    )
    op.create_index("ix_outbox_ref", "outbox", ["ref"])
    op.create_index("ix_outbox_status_next_attempt_at", "outbox", ["status", "next_attempt_at"])
    op.create_table(
        "seen_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("update_id", name="pk_seen_updates"),
    )
    op.create_index("ix_seen_updates_at", "seen_updates", ["at"])
    op.create_table(
        "message_links",
        _id(),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("ref", sa.String(100), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_message_links"),
        sa.UniqueConstraint("chat_id", "message_id", name="uq_message_links_chat_id_message_id"),
    )
    op.create_table(
        "kiosk_alerts",
        _id(),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("expires_at", TIME, nullable=False),
        sa.Column("spoken_count", sa.Integer(), nullable=False),
        sa.CheckConstraint("lang IN ('zh', 'en')", name="ck_kiosk_alerts_lang"),
        sa.PrimaryKeyConstraint("id", name="pk_kiosk_alerts"),
    )


def downgrade() -> None:
    for table in (
        "kiosk_alerts",
        "message_links",
        "seen_updates",
        "outbox",
        "request_events",
        "requests",
        "citizens",
        "assignments",
        "officers",
        "villages",
        "towns",
    ):
        op.drop_table(table)  # a table's indexes go with it
