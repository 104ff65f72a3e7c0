"""fact rank as decided: a person's own registration wrote its facts (enrolment_fact) before its decision, with the
priority rank of the row as inserted (0), not the rank then decided and kept on the enrolment; recorded facts with
rank 0 take the rank their enrolment was given at that same decision (backfilled ones were right)

Revision ID: 0018_fact_rank
Revises: 0017_reasons
Create Date: 2026-12-04 00:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018_fact_rank'
down_revision = '0017_reasons'
branch_labels = None
depends_on = None


def upgrade() -> None:
    fact = sa.table("enrolment_fact", sa.column("enrolment_id", sa.Integer), sa.column("priority_rank", sa.Integer),
                    sa.column("source", sa.String))
    enrolment = sa.table("enrolment", sa.column("id", sa.Integer), sa.column("priority_rank", sa.Integer))
    decided = (sa.select(enrolment.c.priority_rank).where(enrolment.c.id == fact.c.enrolment_id)
               .scalar_subquery())
    op.get_bind().execute(sa.update(fact).where(fact.c.source == "recorded", fact.c.priority_rank == 0,
                                                decided > 0).values(priority_rank=decided))


def downgrade() -> None:
    pass  # the rank of 0 was a mistake, not a fact to restore
