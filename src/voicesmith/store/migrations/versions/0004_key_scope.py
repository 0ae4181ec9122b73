"""API keys have a scope: full (every key made before) or read_only

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_keys') as batch:
        batch.add_column(sa.Column('scope', sa.String(length=16), nullable=False,
                                   server_default='full'))


def downgrade() -> None:
    with op.batch_alter_table('api_keys') as batch:
        batch.drop_column('scope')
