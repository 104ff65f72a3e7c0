"""issuing bodies (cơ quan/đơn vị cấp) as records; each course and certificate points to one

Existing courses get one body per (organising unit, organising body text), with the signer of that unit's first
such course, so that certificates already issued keep pointing to who issued them.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 12:50:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('issuing_body',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('parent_name', sa.String(length=300), nullable=False),
    sa.Column('short_code', sa.String(length=30), nullable=False),
    sa.Column('place_name', sa.String(length=100), nullable=False),
    sa.Column('seal_image', sa.LargeBinary(), nullable=True),
    sa.Column('seal_media_type', sa.String(length=40), nullable=True),
    sa.Column('signer_title', sa.String(length=200), nullable=False),
    sa.Column('signer_name', sa.String(length=120), nullable=False),
    sa.Column('number_pattern', sa.String(length=60), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_issuing_body_unit_id_admin_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issuing_body'))
    )
    with op.batch_alter_table('issuing_body', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issuing_body_unit_id'), ['unit_id'], unique=False)
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issuing_body_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_course_issuing_body_id'), ['issuing_body_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_course_issuing_body_id_issuing_body'), 'issuing_body',
                                    ['issuing_body_id'], ['id'])
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issuing_body_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_certificate_issuing_body_id'), ['issuing_body_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_certificate_issuing_body_id_issuing_body'), 'issuing_body',
                                    ['issuing_body_id'], ['id'])

    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT c.unit_id, c.organising_body, MIN(c.id) FROM course c WHERE c.organising_body <> '' "
        "GROUP BY c.unit_id, c.organising_body ORDER BY MIN(c.id)")).all()
    now = app.db.utcnow()
    body = sa.table('issuing_body', sa.column('id', sa.Integer), sa.column('unit_id', sa.Integer),
                    sa.column('name', sa.String), sa.column('parent_name', sa.String),
                    sa.column('short_code', sa.String), sa.column('place_name', sa.String),
                    sa.column('signer_title', sa.String), sa.column('signer_name', sa.String),
                    sa.column('number_pattern', sa.String), sa.column('active', sa.Boolean),
                    sa.column('created_at', app.db.UtcDateTime), sa.column('updated_at', app.db.UtcDateTime))
    for unit_id, name, first_course in rows:
        signer = conn.execute(sa.text("SELECT signer_title, signer_name FROM course WHERE id = :id"),
                              {"id": first_course}).one()
        province = conn.execute(sa.text(
            "SELECT p.short_name FROM admin_unit u JOIN admin_unit p ON p.id = COALESCE(u.current_province_id, u.id) "
            "WHERE u.id = :id"), {"id": unit_id}).scalar()
        new_id = conn.execute(sa.insert(body).values(
            unit_id=unit_id, name=name, parent_name="", short_code="", place_name=province or "",
            signer_title=signer[0] or "", signer_name=signer[1] or "", number_pattern="{n}/{year}/GCN", active=True,
            created_at=now, updated_at=now).returning(body.c.id)).scalar_one()
        conn.execute(sa.text("UPDATE course SET issuing_body_id = :b WHERE unit_id = :u AND organising_body = :n"),
                     {"b": new_id, "u": unit_id, "n": name})
    conn.execute(sa.text("UPDATE certificate SET issuing_body_id = (SELECT c.issuing_body_id FROM course c "
                         "WHERE c.id = certificate.course_id)"))


def downgrade() -> None:
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_certificate_issuing_body_id_issuing_body'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_certificate_issuing_body_id'))
        batch_op.drop_column('issuing_body_id')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_course_issuing_body_id_issuing_body'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_course_issuing_body_id'))
        batch_op.drop_column('issuing_body_id')
    with op.batch_alter_table('issuing_body', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issuing_body_unit_id'))
    op.drop_table('issuing_body')
