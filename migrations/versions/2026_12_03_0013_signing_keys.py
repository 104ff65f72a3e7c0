"""signing keys of issuing bodies: PKCS#12 files (private key sealed under the installation's secret) or PKCS#11
tokens (the PIN is never stored); one active key per body, replaced keys kept

Revision ID: 0013_signing
Revises: 0014_paperwork
Create Date: 2026-12-03 13:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db

revision = '0013_signing'
down_revision = '0014_paperwork'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signing_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuing_body_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('issuer', sa.String(length=300), nullable=False),
    sa.Column('serial', sa.String(length=80), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('not_before', app.db.UtcDateTime(), nullable=False),
    sa.Column('not_after', app.db.UtcDateTime(), nullable=False),
    sa.Column('cert_pem', sa.Text(), nullable=False),
    sa.Column('chain_pem', sa.Text(), nullable=False),
    sa.Column('sealed_key', sa.LargeBinary(), nullable=True),
    sa.Column('token_module', sa.String(length=300), nullable=True),
    sa.Column('token_label', sa.String(length=100), nullable=True),
    sa.Column('token_slot', sa.Integer(), nullable=True),
    sa.Column('key_label', sa.String(length=100), nullable=True),
    sa.Column('pin_env', sa.String(length=100), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.db.UtcDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('retired_at', app.db.UtcDateTime(), nullable=True),
    sa.Column('retired_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['issuing_body_id'], ['issuing_body.id'],
                            name=op.f('fk_signing_key_issuing_body_id_issuing_body')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_signing_key_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['retired_by_id'], ['user_account.id'], name=op.f('fk_signing_key_retired_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_key'))
    )
    with op.batch_alter_table('signing_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signing_key_issuing_body_id'), ['issuing_body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signing_key_fingerprint'), ['fingerprint'], unique=False)
        batch_op.create_index('uq_signing_key_active_body', ['issuing_body_id'], unique=True,
                              postgresql_where=sa.text('active'), sqlite_where=sa.text('active'))


def downgrade() -> None:
    with op.batch_alter_table('signing_key', schema=None) as batch_op:
        batch_op.drop_index('uq_signing_key_active_body', postgresql_where=sa.text('active'),
                            sqlite_where=sa.text('active'))
        batch_op.drop_index(batch_op.f('ix_signing_key_fingerprint'))
        batch_op.drop_index(batch_op.f('ix_signing_key_issuing_body_id'))
    op.drop_table('signing_key')
