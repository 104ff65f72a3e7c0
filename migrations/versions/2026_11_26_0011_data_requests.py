"""a person's requests about their own data (correction, deletion)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 12:05:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('data_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.Column('handled_at', app.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('response', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['handled_by_id'], ['user_account.id'], name=op.f('fk_data_request_handled_by_id_user_account')),
    sa.ForeignKeyConstraint(['trainee_id'], ['trainee.id'], name=op.f('fk_data_request_trainee_id_trainee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_request'))
    )
    with op.batch_alter_table('data_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_request_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_request_trainee_id'), ['trainee_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('data_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_request_trainee_id'))
        batch_op.drop_index(batch_op.f('ix_data_request_status'))
    op.drop_table('data_request')
