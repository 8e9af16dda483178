"""outbox and alert deliveries record a send before making it; outbox rows say whether to resend

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('at_least_once', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('sending_since', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sending_since', sa.DateTime(timezone=True), nullable=True))
    # the rows queued before this revision that must arrive: officers' and desks' cards, escalations
    # and the villagers' words to their officer (the same rule as bot/core/cards.py)
    op.execute(
        "UPDATE outbox SET at_least_once = TRUE WHERE dedupe_key LIKE 'request:%:card:%'"
        " OR dedupe_key LIKE 'request:%:desk:%' OR dedupe_key LIKE 'request:%:escalated:%'"
        " OR dedupe_key LIKE 'request:%:back:%' OR dedupe_key LIKE 'request:%:relay:%'"
    )


def downgrade() -> None:
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.drop_column('sending_since')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('sending_since')
        batch_op.drop_column('at_least_once')
