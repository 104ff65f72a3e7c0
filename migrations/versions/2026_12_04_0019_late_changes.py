"""late changes: a write to a closed period's figures, made with a reason after the report was submitted, listed
beside the submitted report until an amendment covers it

Revision ID: 0019_late
Revises: 0018_fact_rank
Create Date: 2026-12-04 00:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db

revision = '0019_late'
down_revision = '0018_fact_rank'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_late_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=True),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('course_label', sa.String(length=300), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('entity_ids', sa.JSON(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_by_label', sa.String(length=200), nullable=False),
    sa.Column('changed_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['amendment_id'], ['report_submission.id'], name=op.f('fk_report_late_change_amendment_id_report_submission')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'], name=op.f('fk_report_late_change_changed_by_id_user_account')),
    sa.ForeignKeyConstraint(['submission_id'], ['report_submission.id'], name=op.f('fk_report_late_change_submission_id_report_submission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_late_change'))
    )
    with op.batch_alter_table('report_late_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_late_change_submission_id'), ['submission_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('report_late_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_late_change_submission_id'))
    op.drop_table('report_late_change')
