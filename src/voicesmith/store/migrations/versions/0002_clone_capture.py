"""clones made from an uploaded recording: synthesis-time transform and capture report

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('voice_clones') as batch:
        batch.add_column(sa.Column('source', sa.String(length=16), nullable=False,
                                   server_default='design'))
        batch.add_column(sa.Column('postprocess', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('capture', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('voice_clones') as batch:
        batch.drop_column('capture')
        batch.drop_column('postprocess')
        batch.drop_column('source')
