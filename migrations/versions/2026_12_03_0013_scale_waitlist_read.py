"""the waitlist position is worked out when read (rules.WAITLIST_KEY), no longer stored and shifted: drop the column,
index the order

Revision ID: 0013_scale
Revises: 0013_signin
Create Date: 2026-12-03 13:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013_scale'
down_revision = '0013_signin'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_column('waitlist_position')
        batch_op.create_index('ix_enrolment_waitlist', ['course_id', 'status', 'priority_rank', 'priority_sub_rank',
                                                        'registered_at', 'trainee_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_index('ix_enrolment_waitlist')
        batch_op.add_column(sa.Column('waitlist_position', sa.Integer(), nullable=True))
    # Number each course's waitlist again, as the earlier code expects it stored.
    op.execute("""UPDATE enrolment SET waitlist_position = (
        SELECT count(*) FROM enrolment AS ahead WHERE ahead.course_id = enrolment.course_id
        AND ahead.status = 'waitlisted' AND (ahead.priority_rank, ahead.priority_sub_rank, ahead.registered_at,
        ahead.trainee_id) <= (enrolment.priority_rank, enrolment.priority_sub_rank, enrolment.registered_at,
        enrolment.trainee_id)) WHERE status = 'waitlisted'""")
