"""the inbox of Telegram updates; the replies kept with a seen update

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 02:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('inbox',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('update_id', name=op.f('pk_inbox'))
    )
    op.create_index('ix_inbox_handled_at', 'inbox', ['handled_at'])
    with op.batch_alter_table('seen_updates') as batch:
        batch.add_column(sa.Column('replies', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('seen_updates') as batch:
        batch.drop_column('replies')
    op.drop_index('ix_inbox_handled_at', table_name='inbox')
    op.drop_table('inbox')
