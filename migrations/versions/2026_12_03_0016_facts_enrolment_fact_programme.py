"""facts as at training time (enrolment_fact, backfilled from today's records) and programmes as data

Revision ID: 0016_facts
Revises: 0013_hardening
Create Date: 2026-12-03 16:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db

revision = '0016_facts'
down_revision = '0013_hardening'
branch_labels = None
depends_on = None

OLD, NEW = "NTP-2021-2025-SP1", "NTP-2026-2035"


def upgrade() -> None:
    programme = op.create_table(
        'programme',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('name_vi', sa.String(length=300), nullable=False),
        sa.Column('name_en', sa.String(length=300), nullable=False),
        sa.Column('sub_project', sa.String(length=200), nullable=False),
        sa.Column('start_year', sa.Integer(), nullable=False),
        sa.Column('end_year', sa.Integer(), nullable=False),
        sa.Column('confirmed', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_programme')),
        sa.UniqueConstraint('code', name=op.f('uq_programme_code')))
    op.bulk_insert(programme, [
        {"id": 1, "code": OLD, "confirmed": True, "start_year": 2021, "end_year": 2025,
         "name_vi": "Chương trình MTQG giảm nghèo bền vững 2021–2025, Dự án 6, Tiểu dự án 1",
         "name_en": "National Target Programme for Sustainable Poverty Reduction 2021–2025, Project 6, Sub-project 1",
         "sub_project": "Tiểu dự án 1 Giảm nghèo về thông tin"},
        {"id": 2, "code": NEW, "confirmed": False, "start_year": 2026, "end_year": 2035,
         "name_vi": "Chương trình MTQG 2026–2035 (Nghị quyết 257/2025/QH15; nội dung giảm nghèo về thông tin chưa "
                    "xác nhận)",
         "name_en": "National Target Programme 2026–2035 (Resolution 257/2025/QH15; information-poverty component "
                    "unconfirmed)",
         "sub_project": ""}])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('programme', 'id'), 2)")
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_course_programme_id'), ['programme_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_course_programme_id_programme'), 'programme', ['programme_id'],
                                    ['id'])
    # Existing courses: by the year they start (a draft without dates: the year it was created).
    op.execute("UPDATE course SET programme_id = CASE WHEN start_date >= '2026-01-01' OR (start_date IS NULL AND "
               "created_at >= '2026-01-01') THEN 2 ELSE 1 END")

    op.create_table(
        'enrolment_fact',
        sa.Column('enrolment_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.String(length=40), nullable=False),
        sa.Column('organisation_type', sa.String(length=40), nullable=False),
        sa.Column('target_group_code', sa.String(length=40), nullable=True),
        sa.Column('priority_rank', sa.Integer(), nullable=False),
        sa.Column('commune_categories', sa.JSON(), nullable=False),
        sa.Column('sex', sa.String(length=8), nullable=False),
        sa.Column('ethnic_minority', sa.Boolean(), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('recorded_at', app.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_enrolment_fact_enrolment_id_enrolment'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_enrolment_fact_unit_id_admin_unit')),
        sa.PrimaryKeyConstraint('enrolment_id', name=op.f('pk_enrolment_fact')))
    # Enrolments made before: their facts from the records of today, once, marked "backfilled" (one statement).
    op.execute("INSERT INTO enrolment_fact (enrolment_id, unit_id, position, organisation_type, target_group_code, "
               "priority_rank, commune_categories, sex, ethnic_minority, source, recorded_at) "
               "SELECT e.id, t.unit_id, t.position, t.organisation_type, t.target_group_code, e.priority_rank, "
               "t.commune_categories, t.sex, t.ethnicity <> 'kinh', 'backfilled', CURRENT_TIMESTAMP "
               "FROM enrolment e JOIN trainee t ON t.id = e.trainee_id")
    with op.batch_alter_table('enrolment_fact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_fact_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_fact_target_group_code'), ['target_group_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('enrolment_fact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_fact_target_group_code'))
        batch_op.drop_index(batch_op.f('ix_enrolment_fact_unit_id'))
    op.drop_table('enrolment_fact')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_course_programme_id_programme'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_course_programme_id'))
        batch_op.drop_column('programme_id')
    op.drop_table('programme')
