"""design versions carry their voice transform (copied into their clones)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('voice_design_versions') as batch:
        batch.add_column(sa.Column('transform', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('voice_design_versions') as batch:
        batch.drop_column('transform')
