"""training materials: one course's or one curriculum module's, with their file versions

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 10:56:12.071374
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('material',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('course_module_id', sa.Integer(), nullable=True),
    sa.Column('curriculum_code', sa.String(length=16), nullable=True),
    sa.Column('module_code', sa.String(length=20), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('owner_unit_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('download_count', sa.Integer(), nullable=False),
    sa.Column('last_downloaded_at', app.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', app.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.Column('delete_reason', sa.Text(), nullable=True),
    sa.CheckConstraint('(course_id IS NOT NULL AND curriculum_code IS NULL AND module_code IS NULL) OR (course_id IS NULL AND curriculum_code IS NOT NULL AND module_code IS NOT NULL)', name=op.f('ck_material_one_home')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_material_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_module_id'], ['course_module.id'], name=op.f('fk_material_course_module_id_course_module'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_material_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['curriculum_code'], ['curriculum.code'], name=op.f('fk_material_curriculum_code_curriculum')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['user_account.id'], name=op.f('fk_material_deleted_by_id_user_account')),
    sa.ForeignKeyConstraint(['owner_unit_id'], ['admin_unit.id'], name=op.f('fk_material_owner_unit_id_admin_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material'))
    )
    with op.batch_alter_table('material', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_course_id'), ['course_id'], unique=False)
        batch_op.create_index('ix_material_curriculum_code_module_code', ['curriculum_code', 'module_code'], unique=False)

    op.create_table('material_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['material_id'], ['material.id'], name=op.f('fk_material_version_material_id_material'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_material_version_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_version')),
    sa.UniqueConstraint('material_id', 'number', name=op.f('uq_material_version_material_id_number'))
    )
    with op.batch_alter_table('material_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_version_material_id'), ['material_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_material_version_sha256'), ['sha256'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('material_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_material_version_sha256'))
        batch_op.drop_index(batch_op.f('ix_material_version_material_id'))

    op.drop_table('material_version')
    with op.batch_alter_table('material', schema=None) as batch_op:
        batch_op.drop_index('ix_material_curriculum_code_module_code')
        batch_op.drop_index(batch_op.f('ix_material_course_id'))

    op.drop_table('material')
