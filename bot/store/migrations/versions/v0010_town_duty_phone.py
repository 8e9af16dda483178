"""towns.duty_phone: the duty desk's phone, printed on the posters of villages without an officer

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 02:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('towns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duty_phone', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('towns', schema=None) as batch_op:
        batch_op.drop_column('duty_phone')
