"""trainees: the officials the programme trains, with their derived target group

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 08:23:44.879051
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('trainee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('search_name', sa.String(length=120), nullable=False),
    sa.Column('sex', sa.String(length=8), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('ethnicity', sa.String(length=24), nullable=False),
    sa.Column('citizen_id', sa.String(length=12), nullable=False),
    sa.Column('phone', sa.String(length=15), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('position', sa.String(length=40), nullable=False),
    sa.Column('organisation_type', sa.String(length=40), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('in_charge_of_radio', sa.Boolean(), nullable=False),
    sa.Column('commune_categories', sa.JSON(), nullable=False),
    sa.Column('target_group_code', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_trainee_unit_id_admin_unit')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_trainee_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trainee')),
    sa.UniqueConstraint('citizen_id', name=op.f('uq_trainee_citizen_id')),
    sa.UniqueConstraint('user_id', name=op.f('uq_trainee_user_id'))
    )
    with op.batch_alter_table('trainee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trainee_search_name'), ['search_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_trainee_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_trainee_target_group_code'), ['target_group_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_trainee_unit_id'), ['unit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('trainee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trainee_unit_id'))
        batch_op.drop_index(batch_op.f('ix_trainee_target_group_code'))
        batch_op.drop_index(batch_op.f('ix_trainee_status'))
        batch_op.drop_index(batch_op.f('ix_trainee_search_name'))

    op.drop_table('trainee')
