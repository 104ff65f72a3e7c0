"""curricula: every synced version kept with its modules and topics; courses pin a version and add local content

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 08:08:27.687002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db

LATEST_FK = 'fk_curriculum_latest_version_id_curriculum_version'

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('curriculum',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('latest_version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_curriculum'))
    )
    op.create_table('target_group',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_vi', sa.String(length=300), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('description_vi', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_target_group'))
    )
    op.create_table('curriculum_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('curriculum_code', sa.String(length=16), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('title_vi', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('theory_hours', sa.Float(), nullable=False),
    sa.Column('practice_hours', sa.Float(), nullable=False),
    sa.Column('min_attendance_share', sa.Float(), nullable=False),
    sa.Column('assessment_required', sa.Boolean(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('synced_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['curriculum_code'], ['curriculum.code'], name=op.f('fk_curriculum_version_curriculum_code_curriculum')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_curriculum_version')),
    sa.UniqueConstraint('curriculum_code', 'number', name=op.f('uq_curriculum_version_curriculum_code_number'))
    )
    with op.batch_alter_table('curriculum_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_curriculum_version_curriculum_code'), ['curriculum_code'], unique=False)
    # curriculum and curriculum_version point at each other: the latest-version link is added once both exist.
    with op.batch_alter_table('curriculum', schema=None) as batch_op:
        batch_op.create_foreign_key(LATEST_FK, 'curriculum_version', ['latest_version_id'], ['id'])

    op.create_table('course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('curriculum_version_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_course_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['curriculum_version_id'], ['curriculum_version.id'], name=op.f('fk_course_curriculum_version_id_curriculum_version')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_course_unit_id_admin_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course')),
    sa.UniqueConstraint('code', name=op.f('uq_course_code'))
    )
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_curriculum_version_id'), ['curriculum_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_unit_id'), ['unit_id'], unique=False)

    op.create_table('curriculum_module',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title_vi', sa.String(length=400), nullable=False),
    sa.Column('title_en', sa.String(length=400), nullable=False),
    sa.Column('theory_hours', sa.Float(), nullable=False),
    sa.Column('practice_hours', sa.Float(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['curriculum_version.id'], name=op.f('fk_curriculum_module_version_id_curriculum_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_curriculum_module')),
    sa.UniqueConstraint('version_id', 'code', name=op.f('uq_curriculum_module_version_id_code'))
    )
    with op.batch_alter_table('curriculum_module', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_curriculum_module_version_id'), ['version_id'], unique=False)

    op.create_table('curriculum_target_group',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('target_group_code', sa.String(length=40), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['target_group_code'], ['target_group.code'], name=op.f('fk_curriculum_target_group_target_group_code_target_group')),
    sa.ForeignKeyConstraint(['version_id'], ['curriculum_version.id'], name=op.f('fk_curriculum_target_group_version_id_curriculum_version')),
    sa.PrimaryKeyConstraint('version_id', 'target_group_code', name=op.f('pk_curriculum_target_group'))
    )
    op.create_table('course_module',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('curriculum_module_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=400), nullable=False),
    sa.Column('theory_hours', sa.Float(), nullable=False),
    sa.Column('practice_hours', sa.Float(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('is_local', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_module_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['curriculum_module_id'], ['curriculum_module.id'], name=op.f('fk_course_module_curriculum_module_id_curriculum_module')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_module')),
    sa.UniqueConstraint('course_id', 'code', name=op.f('uq_course_module_course_id_code'))
    )
    with op.batch_alter_table('course_module', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_module_course_id'), ['course_id'], unique=False)

    op.create_table('curriculum_topic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title_vi', sa.String(length=600), nullable=False),
    sa.Column('title_en', sa.String(length=600), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['curriculum_module.id'], name=op.f('fk_curriculum_topic_module_id_curriculum_module')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_curriculum_topic')),
    sa.UniqueConstraint('module_id', 'code', name=op.f('uq_curriculum_topic_module_id_code'))
    )
    with op.batch_alter_table('curriculum_topic', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_curriculum_topic_module_id'), ['module_id'], unique=False)

    op.create_table('course_local_topic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_module_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=600), nullable=False),
    sa.ForeignKeyConstraint(['course_module_id'], ['course_module.id'], name=op.f('fk_course_local_topic_course_module_id_course_module'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_local_topic'))
    )
    with op.batch_alter_table('course_local_topic', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_local_topic_course_module_id'), ['course_module_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('curriculum', schema=None) as batch_op:
        batch_op.drop_constraint(LATEST_FK, type_='foreignkey')
    with op.batch_alter_table('course_local_topic', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_local_topic_course_module_id'))

    op.drop_table('course_local_topic')
    with op.batch_alter_table('curriculum_topic', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_curriculum_topic_module_id'))

    op.drop_table('curriculum_topic')
    with op.batch_alter_table('course_module', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_module_course_id'))

    op.drop_table('course_module')
    op.drop_table('curriculum_target_group')
    with op.batch_alter_table('curriculum_module', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_curriculum_module_version_id'))

    op.drop_table('curriculum_module')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_unit_id'))
        batch_op.drop_index(batch_op.f('ix_course_curriculum_version_id'))

    op.drop_table('course')
    with op.batch_alter_table('curriculum_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_curriculum_version_curriculum_code'))

    op.drop_table('curriculum_version')
    op.drop_table('target_group')
    op.drop_table('curriculum')
