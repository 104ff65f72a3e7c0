"""courses: the retraining setting (a gap in years, 0 = people may be trained again) and the mark of a course
recorded after it took place

Revision ID: 0013_former
Revises: 0014_issuer
Create Date: 2026-12-03 13:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013_former'
down_revision = '0014_issuer'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('course', schema=None) as batch_op:
        # Before this revision every course refused someone who completed the same curriculum less than three years
        # before. Existing courses keep that rule (3); new ones take retrained officials unless the organiser sets it.
        batch_op.add_column(sa.Column('retraining_gap_years', sa.Integer(), nullable=False, server_default='3'))
        batch_op.add_column(sa.Column('recorded_after', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.alter_column('retraining_gap_years', server_default='0')


def downgrade() -> None:
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('recorded_after')
        batch_op.drop_column('retraining_gap_years')
