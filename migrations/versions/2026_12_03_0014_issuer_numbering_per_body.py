"""certificate numbers and register entries per issuing body; a course's own hours; seals kept as issued

- `certificate_counter` is keyed by issuing body (and year; year 0 is the register book, which never restarts).
  Each body of a unit starts from the counter its unit had, so no body hands out a number its unit already used.
- Bodies of one province that would print the same numbers (the same pattern, as every body made by 0013 has) get
  their own symbol: the first keeps its pattern, the others get `{n}/{year}/GCN-{code}` with their initials.
- Certificate numbers are unique per body and year, register entries per body.
- `course.hours_override`: the hours the organiser sets when the sessions do not tell them.
- `seal_image`: every seal a certificate was printed with, by SHA-256, so a certificate renders again with the seal
  it had even after the body's seal changes.

Revision ID: 0014_issuer
Revises: 0013_signing
Create Date: 2026-12-03 13:10:00
"""
from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

import app.db

revision = '0014_issuer'
down_revision = '0013_signing'
branch_labels = None
depends_on = None


def _initials(name: str) -> str:
    skip = {"va", "cua", "tinh", "thanh", "pho", "xa", "phuong"}
    letters = []
    for word in re.split(r"[\s,.;:/()-]+", name):
        folded = unicodedata.normalize("NFD", word.replace("Đ", "D").replace("đ", "d"))
        folded = "".join(c for c in folded if unicodedata.category(c) != "Mn")
        if folded and folded.lower() not in skip and folded[0].isalnum():
            letters.append(folded[0].upper())
    return "".join(letters)[:12]


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hours_override', sa.Float(), nullable=True))

    op.create_table('seal_image',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('media_type', sa.String(length=40), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_seal_image'))
    )

    # Bodies of one province printing the same numbers get their own symbol (all of 0013's share one pattern).
    bodies = conn.execute(sa.text(
        "SELECT b.id, b.name, b.short_code, b.number_pattern, COALESCE(u.current_province_id, u.id) "
        "FROM issuing_body b JOIN admin_unit u ON u.id = b.unit_id ORDER BY b.id")).all()
    seen: dict[tuple[int, str], int] = {}
    for body_id, name, short_code, pattern, province in bodies:
        key = (province, pattern if "{code}" not in pattern else f"{pattern}|{short_code.upper()}")
        if key in seen:
            code = short_code or _initials(name) or f"CQ{body_id}"
            base, k = code, 1
            while (province, "{n}/{year}/GCN-{code}|" + code.upper()) in seen:
                k += 1
                code = f"{base}{k}"
            conn.execute(sa.text("UPDATE issuing_body SET short_code = :c, number_pattern = '{n}/{year}/GCN-{code}' "
                                 "WHERE id = :id"), {"c": code, "id": body_id})
            key = (province, "{n}/{year}/GCN-{code}|" + code.upper())
        seen[key] = body_id

    old = conn.execute(sa.text("SELECT issuer_unit_id, year, last FROM certificate_counter")).all()
    op.drop_table('certificate_counter')
    counter = op.create_table('certificate_counter',
    sa.Column('issuing_body_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['issuing_body_id'], ['issuing_body.id'],
                            name=op.f('fk_certificate_counter_issuing_body_id_issuing_body')),
    sa.PrimaryKeyConstraint('issuing_body_id', 'year', name=op.f('pk_certificate_counter'))
    )
    rows = []
    for unit_id, year, last in old:
        for (body_id,) in conn.execute(sa.text("SELECT id FROM issuing_body WHERE unit_id = :u"), {"u": unit_id}):
            rows.append({"issuing_body_id": body_id, "year": year, "last": last})
    # A body whose certificates were issued by a unit it does not belong to (none today) still starts above them.
    if rows:
        op.bulk_insert(counter, rows)

    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index('uq_certificate_issuer_year_number')
        batch_op.create_index('uq_certificate_body_year_number', ['issuing_body_id', 'year', 'sequence'], unique=True)
        batch_op.create_index('uq_certificate_body_register_entry', ['issuing_body_id', 'register_entry'],
                              unique=True)


def downgrade() -> None:
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index('uq_certificate_body_register_entry')
        batch_op.drop_index('uq_certificate_body_year_number')
        batch_op.create_index('uq_certificate_issuer_year_number', ['issuer_unit_id', 'year', 'sequence'], unique=True)
    conn = op.get_bind()
    per_unit = conn.execute(sa.text(
        "SELECT b.unit_id, c.year, MAX(c.last) FROM certificate_counter c JOIN issuing_body b "
        "ON b.id = c.issuing_body_id GROUP BY b.unit_id, c.year")).all()
    op.drop_table('certificate_counter')
    counter = op.create_table('certificate_counter',
    sa.Column('issuer_unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['issuer_unit_id'], ['admin_unit.id'],
                            name=op.f('fk_certificate_counter_issuer_unit_id_admin_unit')),
    sa.PrimaryKeyConstraint('issuer_unit_id', 'year', name=op.f('pk_certificate_counter'))
    )
    if per_unit:
        op.bulk_insert(counter, [{"issuer_unit_id": u, "year": y, "last": n} for u, y, n in per_unit])
    op.drop_table('seal_image')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('hours_override')
