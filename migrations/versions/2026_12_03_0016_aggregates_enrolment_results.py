"""aggregates: each enrolment carries its results for the reports (marked present or late at a session, holds a
valid certificate), kept up to date as marks and certificates are written (app.enrolment.results), so that a
national report no longer looks up three million attendance marks and every certificate

Revision ID: 0016_aggregates
Revises: 0016_facts
Create Date: 2026-12-03 16:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016_aggregates'
down_revision = '0016_facts'
branch_labels = None
depends_on = None

# The same statement as app.enrolment.results.refresh_all, written out: a migration does not import the app.
BACKFILL = """
UPDATE enrolment SET
    marked_present = EXISTS (SELECT 1 FROM attendance_mark m
                             WHERE m.enrolment_id = enrolment.id AND m.status IN ('present', 'late')),
    certified = EXISTS (SELECT 1 FROM certificate c WHERE c.enrolment_id = enrolment.id AND c.status = 'valid')
"""


def upgrade() -> None:
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('marked_present', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('certified', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_column('certified')
        batch_op.drop_column('marked_present')
