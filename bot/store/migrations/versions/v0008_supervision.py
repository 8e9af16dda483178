"""public supervision: ratings, complaints, dispute outcomes; a supervisor per town

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('complaints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=True),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('money', 'conduct', 'rating')", name=op.f('ck_complaints_kind')),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_complaints_status')),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizens.id'], name=op.f('fk_complaints_citizen_id_citizens')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_complaints_officer_id_officers')),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_complaints_request_id_requests')),
    sa.ForeignKeyConstraint(['town_id'], ['towns.id'], name=op.f('fk_complaints_town_id_towns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints'))
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_town_id'), ['town_id'], unique=False)

    op.create_table('dispute_outcomes',
    sa.Column('request_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("outcome IN ('settled', 'unsettled', 'referred')", name=op.f('ck_dispute_outcomes_outcome')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_dispute_outcomes_officer_id_officers')),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_dispute_outcomes_request_id_requests')),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_dispute_outcomes'))
    )
    op.create_table('ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('town_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 3', name=op.f('ck_ratings_score')),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizens.id'], name=op.f('fk_ratings_citizen_id_citizens')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_ratings_officer_id_officers')),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_ratings_request_id_requests')),
    sa.ForeignKeyConstraint(['town_id'], ['towns.id'], name=op.f('fk_ratings_town_id_towns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings')),
    sa.UniqueConstraint('request_id', name=op.f('uq_ratings_request_id'))
    )
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ratings_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ratings_officer_id'), ['officer_id'], unique=False)

    with op.batch_alter_table('towns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supervisor_telegram_id', sa.BigInteger(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('towns', schema=None) as batch_op:
        batch_op.drop_column('supervisor_telegram_id')

    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ratings_officer_id'))
        batch_op.drop_index(batch_op.f('ix_ratings_at'))

    op.drop_table('ratings')
    op.drop_table('dispute_outcomes')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_town_id'))
        batch_op.drop_index(batch_op.f('ix_complaints_created_at'))
        batch_op.drop_index(batch_op.f('ix_complaints_citizen_id'))

    op.drop_table('complaints')
