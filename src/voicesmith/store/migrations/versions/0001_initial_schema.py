"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_keys',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('organization', sa.String(length=255), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key_hash')
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_organization'), ['organization'], unique=False)

    op.create_table('voice_clones',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organization', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('source_design_id', sa.String(length=36), nullable=True),
    sa.Column('source_design_version', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=32), nullable=True),
    sa.Column('engine_language', sa.String(length=16), nullable=False),
    sa.Column('gender', sa.String(length=16), nullable=True),
    sa.Column('label', sa.Text(), nullable=True),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('model_id', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('style', sa.LargeBinary(), nullable=False),
    sa.Column('sample_key', sa.String(length=64), nullable=False),
    sa.Column('sample_size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organization', 'name', name='uq_clone_org_name')
    )
    with op.batch_alter_table('voice_clones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voice_clones_organization'), ['organization'], unique=False)
        batch_op.create_index(batch_op.f('ix_voice_clones_sample_key'), ['sample_key'], unique=False)

    op.create_table('voice_designs',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organization', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('last_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organization', 'name', name='uq_design_org_name')
    )
    with op.batch_alter_table('voice_designs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voice_designs_organization'), ['organization'], unique=False)

    op.create_table('voice_design_versions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('design_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('prompt', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=32), nullable=False),
    sa.Column('engine_language', sa.String(length=16), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('traits', sa.JSON(), nullable=False),
    sa.Column('recipe', sa.JSON(), nullable=False),
    sa.Column('style', sa.LargeBinary(), nullable=False),
    sa.Column('sample_key', sa.String(length=64), nullable=False),
    sa.Column('sample_size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['design_id'], ['voice_designs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('design_id', 'version', name='uq_version_design_number')
    )
    with op.batch_alter_table('voice_design_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voice_design_versions_design_id'), ['design_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voice_design_versions_sample_key'), ['sample_key'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('voice_design_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voice_design_versions_sample_key'))
        batch_op.drop_index(batch_op.f('ix_voice_design_versions_design_id'))

    op.drop_table('voice_design_versions')
    with op.batch_alter_table('voice_designs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voice_designs_organization'))

    op.drop_table('voice_designs')
    with op.batch_alter_table('voice_clones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voice_clones_sample_key'))
        batch_op.drop_index(batch_op.f('ix_voice_clones_organization'))

    op.drop_table('voice_clones')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_organization'))

    op.drop_table('api_keys')
