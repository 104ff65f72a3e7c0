"""the paperwork of a course: generated documents (with the data they were made from, and the number and signing
date the office registered), replaced .docx templates per document type, payment rates taken from budget lines

Revision ID: 0014_paperwork
Revises: 0015_periods
Create Date: 2026-12-03 12:44:34.686870
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db

revision = '0014_paperwork'
down_revision = '0015_periods'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('document_template',
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_document_template_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('kind', name=op.f('pk_document_template'))
    )
    op.create_table('course_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('data_sha256', sa.String(length=64), nullable=False),
    sa.Column('template_sha256', sa.String(length=64), nullable=False),
    sa.Column('generated_by_id', sa.Integer(), nullable=True),
    sa.Column('generated_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=True),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('registered_at', app.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', app.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_document_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['generated_by_id'], ['user_account.id'], name=op.f('fk_course_document_generated_by_id_user_account')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['user_account.id'], name=op.f('fk_course_document_registered_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_document'))
    )
    with op.batch_alter_table('course_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_document_course_id'), ['course_id'], unique=False)

    op.create_table('payment_rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('per', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.Numeric(precision=16, scale=0), nullable=False),
    sa.Column('budget_line_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['budget_line_id'], ['budget_line.id'], name=op.f('fk_payment_rate_budget_line_id_budget_line'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_payment_rate_course_id_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_rate')),
    sa.UniqueConstraint('course_id', 'kind', name=op.f('uq_payment_rate_course_id_kind'))
    )
    with op.batch_alter_table('payment_rate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_rate_budget_line_id'), ['budget_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_rate_course_id'), ['course_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('payment_rate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_rate_course_id'))
        batch_op.drop_index(batch_op.f('ix_payment_rate_budget_line_id'))

    op.drop_table('payment_rate')
    with op.batch_alter_table('course_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_document_course_id'))

    op.drop_table('course_document')
    op.drop_table('document_template')
