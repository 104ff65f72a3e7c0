"""signin: throttle counters per account, address and (account, address) pair; sign-ups waiting for the organisers;
one-time invitations for officials on record

Revision ID: 0013_signin
Revises: 0013_former
Create Date: 2026-12-03 13:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db

revision = '0013_signin'
down_revision = '0013_former'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The old counter (one row per name, read then written from Python) is replaced; its rows are only minutes old.
    op.drop_table('sign_in_throttle')
    op.create_table('sign_in_throttle',
    sa.Column('scope', sa.String(length=8), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('locked_until', app.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('admitted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'key', name=op.f('pk_sign_in_throttle'))
    )
    with op.batch_alter_table('sign_in_throttle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_throttle_account'), ['account'], unique=False)

    op.create_table('sign_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('citizen_id', sa.String(length=12), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('clash_trainee_id', sa.Integer(), nullable=True),
    sa.Column('trainee_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', app.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['clash_trainee_id'], ['trainee.id'], name=op.f('fk_sign_up_clash_trainee_id_trainee'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_sign_up_decided_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['trainee_id'], ['trainee.id'], name=op.f('fk_sign_up_trainee_id_trainee'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_sign_up_unit_id_admin_unit')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sign_up_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_up')),
    sa.UniqueConstraint('user_id', name=op.f('uq_sign_up_user_id'))
    )
    with op.batch_alter_table('sign_up', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_up_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_up_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_up_unit_id'), ['unit_id'], unique=False)

    op.create_table('trainee_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('used_at', app.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('used_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', app.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_trainee_invitation_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['trainee_id'], ['trainee.id'], name=op.f('fk_trainee_invitation_trainee_id_trainee'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['used_by_id'], ['user_account.id'], name=op.f('fk_trainee_invitation_used_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trainee_invitation')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_trainee_invitation_code_hash'))
    )
    with op.batch_alter_table('trainee_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trainee_invitation_trainee_id'), ['trainee_id'], unique=False)


def downgrade() -> None:
    op.drop_table('trainee_invitation')
    op.drop_table('sign_up')
    op.drop_table('sign_in_throttle')
    op.create_table('sign_in_throttle',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_started_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('locked_until', app.db.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('username', name=op.f('pk_sign_in_throttle'))
    )
