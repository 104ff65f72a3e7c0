"""completion rule per course (late, excused), self check-in lateness, assessment and results on enrolments

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 11:25:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late_counts_as_present', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
        batch_op.add_column(sa.Column('excused_counts', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('late_after_minutes', sa.Integer(), nullable=False, server_default='15'))
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assessment_passed', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('attendance_share', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('completed_at', app.db.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_column('completed_at')
        batch_op.drop_column('attendance_share')
        batch_op.drop_column('assessment_passed')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('late_after_minutes')
        batch_op.drop_column('excused_counts')
        batch_op.drop_column('late_counts_as_present')
