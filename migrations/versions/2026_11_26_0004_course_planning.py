"""course planning: places, venue and form, dates and registration window, completion rule, sessions, lecturers,
budget lines, calendar feed tokens

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 08:40:52.444577
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_feed',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_calendar_feed_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_calendar_feed')),
    sa.UniqueConstraint('token', name=op.f('uq_calendar_feed_token'))
    )
    op.create_table('lecturer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('organisation', sa.String(length=300), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=15), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_lecturer_unit_id_admin_unit')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_lecturer_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lecturer')),
    sa.UniqueConstraint('user_id', name=op.f('uq_lecturer_user_id'))
    )
    with op.batch_alter_table('lecturer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lecturer_unit_id'), ['unit_id'], unique=False)

    op.create_table('budget_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('planned_amount', sa.Numeric(precision=16, scale=0), nullable=False),
    sa.Column('actual_amount', sa.Numeric(precision=16, scale=0), nullable=True),
    sa.Column('funding_source', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_budget_line_course_id_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_line'))
    )
    with op.batch_alter_table('budget_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_line_course_id'), ['course_id'], unique=False)

    op.create_table('course_place',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_place_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_course_place_unit_id_admin_unit')),
    sa.PrimaryKeyConstraint('course_id', 'unit_id', name=op.f('pk_course_place'))
    )
    op.create_table('course_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('session_date', sa.Date(), nullable=False),
    sa.Column('part_of_day', sa.String(length=10), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.Column('lecturer_id', sa.Integer(), nullable=True),
    sa.Column('room', sa.String(length=200), nullable=True),
    sa.Column('online_link', sa.String(length=500), nullable=True),
    sa.Column('topics_note', sa.Text(), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('updated_at', app.db.UtcDateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_session_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lecturer_id'], ['lecturer.id'], name=op.f('fk_course_session_lecturer_id_lecturer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_session'))
    )
    with op.batch_alter_table('course_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_session_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_session_lecturer_id'), ['lecturer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_session_session_date'), ['session_date'], unique=False)

    op.create_table('course_session_module',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('course_module_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_module_id'], ['course_module.id'], name=op.f('fk_course_session_module_course_module_id_course_module'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['course_session.id'], name=op.f('fk_course_session_module_session_id_course_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'course_module_id', name=op.f('pk_course_session_module'))
    )
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organising_body', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('signer_title', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('signer_name', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('form', sa.String(length=12), nullable=False, server_default='in_person'))
        batch_op.add_column(sa.Column('venue', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('capacity', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('registration_opens', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('registration_closes', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('start_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('end_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('min_attendance_share', sa.Float(), nullable=False, server_default='0.8'))
        batch_op.add_column(sa.Column('assessment_required', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('copied_from_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', app.db.UtcDateTime(timezone=True), nullable=False, server_default=sa.func.now()))
        batch_op.create_index(batch_op.f('ix_course_start_date'), ['start_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_status'), ['status'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_course_copied_from_id_course'), 'course', ['copied_from_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_course_copied_from_id_course'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_course_status'))
        batch_op.drop_index(batch_op.f('ix_course_start_date'))
        batch_op.drop_column('updated_at')
        batch_op.drop_column('copied_from_id')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('assessment_required')
        batch_op.drop_column('min_attendance_share')
        batch_op.drop_column('end_date')
        batch_op.drop_column('start_date')
        batch_op.drop_column('registration_closes')
        batch_op.drop_column('registration_opens')
        batch_op.drop_column('capacity')
        batch_op.drop_column('venue')
        batch_op.drop_column('form')
        batch_op.drop_column('signer_name')
        batch_op.drop_column('signer_title')
        batch_op.drop_column('organising_body')

    op.drop_table('course_session_module')
    with op.batch_alter_table('course_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_session_session_date'))
        batch_op.drop_index(batch_op.f('ix_course_session_lecturer_id'))
        batch_op.drop_index(batch_op.f('ix_course_session_course_id'))

    op.drop_table('course_session')
    op.drop_table('course_place')
    with op.batch_alter_table('budget_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_line_course_id'))

    op.drop_table('budget_line')
    with op.batch_alter_table('lecturer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lecturer_unit_id'))

    op.drop_table('lecturer')
    op.drop_table('calendar_feed')
