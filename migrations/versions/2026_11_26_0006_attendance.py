"""attendance marks: one per session and confirmed enrolment

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 09:46:17.871737
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attendance_mark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('method', sa.String(length=12), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_attendance_mark_enrolment_id_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_attendance_mark_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['session_id'], ['course_session.id'], name=op.f('fk_attendance_mark_session_id_course_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_mark')),
    sa.UniqueConstraint('session_id', 'enrolment_id', name=op.f('uq_attendance_mark_session_id_enrolment_id'))
    )
    with op.batch_alter_table('attendance_mark', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_mark_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_mark_session_id'), ['session_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('attendance_mark', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_mark_session_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_mark_enrolment_id'))

    op.drop_table('attendance_mark')
