"""outbox rows say whether they are urgent: an urgent page goes before any backlog

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('urgent', sa.Boolean(), nullable=False, server_default=sa.false()))
    # the cards of urgent requests queued before this revision (the same rule as bot/core/cards.py)
    op.execute(
        "UPDATE outbox SET urgent = TRUE WHERE status = 'pending' AND ref IN"
        " (SELECT 'request:' || CAST(id AS VARCHAR(20)) FROM requests WHERE urgent)"
    )


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('urgent')
