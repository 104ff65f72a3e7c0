"""hardening: a revoked certificate's public reason is a chosen category plus optional public text; the reason typed
so far stays as the internal note (revoke_reason), never shown on the public verify page

Revision ID: 0013_hardening
Revises: 0014_scale
Create Date: 2026-12-03 13:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013_hardening'
down_revision = '0014_scale'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoke_category', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('revoke_public_note', sa.Text(), nullable=True))
    # Certificates revoked before: their reason was free text written for colleagues. It stays, as the internal note;
    # publicly they say only "other" until someone chooses a category.
    op.execute("UPDATE certificate SET revoke_category = 'other' WHERE status = 'revoked'")


def downgrade() -> None:
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_column('revoke_public_note')
        batch_op.drop_column('revoke_category')
