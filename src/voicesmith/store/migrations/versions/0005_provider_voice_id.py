"""Design versions and clones may hold a remote provider's voice id (provider "minimax")

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('voice_design_versions', 'voice_clones'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('provider_voice_id', sa.String(length=256), nullable=True))
            batch.create_index(f'ix_{table}_provider_voice_id', ['provider_voice_id'])


def downgrade() -> None:
    for table in ('voice_design_versions', 'voice_clones'):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f'ix_{table}_provider_voice_id')
            batch.drop_column('provider_voice_id')
