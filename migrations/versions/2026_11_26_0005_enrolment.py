"""enrolment: registrations with status and waitlist position, commune quotas, notifications

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 08:59:11.828155
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=True),
    sa.Column('created_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('read_at', app.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_user_id'), ['user_id'], unique=False)

    op.create_table('course_quota',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_quota_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_course_quota_unit_id_admin_unit')),
    sa.PrimaryKeyConstraint('course_id', 'unit_id', name=op.f('pk_course_quota'))
    )
    op.create_table('enrolment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('waitlist_position', sa.Integer(), nullable=True),
    sa.Column('priority_rank', sa.Integer(), nullable=False),
    sa.Column('priority_sub_rank', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('registered_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', app.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('nominated_by_id', sa.Integer(), nullable=True),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.Column('updated_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_enrolment_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['nominated_by_id'], ['user_account.id'], name=op.f('fk_enrolment_nominated_by_id_user_account')),
    sa.ForeignKeyConstraint(['trainee_id'], ['trainee.id'], name=op.f('fk_enrolment_trainee_id_trainee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment')),
    sa.UniqueConstraint('course_id', 'trainee_id', name=op.f('uq_enrolment_course_id_trainee_id'))
    )
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_trainee_id'), ['trainee_id'], unique=False)

    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allocation_mode', sa.String(length=12), nullable=False, server_default='first_come'))
        batch_op.add_column(sa.Column('allocated_at', app.db.UtcDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('allocated_at')
        batch_op.drop_column('allocation_mode')

    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_trainee_id'))
        batch_op.drop_index(batch_op.f('ix_enrolment_status'))
        batch_op.drop_index(batch_op.f('ix_enrolment_course_id'))

    op.drop_table('enrolment')
    op.drop_table('course_quota')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_user_id'))

    op.drop_table('notification')
