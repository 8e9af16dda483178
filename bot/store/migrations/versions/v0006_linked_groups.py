"""linked village groups; alert deliveries to a group have no citizen

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('linked_groups',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('linked_by', sa.BigInteger(), nullable=False),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_linked_groups_village_id_villages')),
    sa.PrimaryKeyConstraint('chat_id', name=op.f('pk_linked_groups'))
    )
    with op.batch_alter_table('linked_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_linked_groups_village_id'), ['village_id'], unique=False)
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.alter_column('citizen_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index('uq_alert_deliveries_group', ['alert_id', 'chat_id'], unique=True,
                              sqlite_where=sa.text('citizen_id IS NULL'),
                              postgresql_where=sa.text('citizen_id IS NULL'))


def downgrade() -> None:
    op.execute("DELETE FROM alert_deliveries WHERE citizen_id IS NULL")
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.drop_index('uq_alert_deliveries_group', sqlite_where=sa.text('citizen_id IS NULL'),
                            postgresql_where=sa.text('citizen_id IS NULL'))
        batch_op.alter_column('citizen_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('linked_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_linked_groups_village_id'))
    op.drop_table('linked_groups')
