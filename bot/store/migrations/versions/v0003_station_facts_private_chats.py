"""station facts; citizens' chats are their private chats

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 01:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('station_facts',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_station_facts'))
    )
    # Before 0003 a command sent in a group made the group the villager's chat, so that replies about
    # their requests and alerts went to the group. Telegram's private chat with a user has the user's id.
    op.execute("UPDATE citizens SET chat_id = user_id WHERE chat_id <> user_id")


def downgrade() -> None:
    op.drop_table('station_facts')
