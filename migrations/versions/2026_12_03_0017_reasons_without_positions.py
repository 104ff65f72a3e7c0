"""reasons without positions: waitlist reasons recorded before positions were worked out when read began with
"Danh sách chờ vị trí N: " / "Waitlist position N: "; the position is a field now (Enrolment.waitlist_position), so
the stored words lose it once, and nothing has to find it in the text any more

Revision ID: 0017_reasons
Revises: 0016_aggregates
Create Date: 2026-12-03 17:40:00
"""
from __future__ import annotations

import json
import re

import sqlalchemy as sa
from alembic import op

revision = '0017_reasons'
down_revision = '0016_aggregates'
branch_labels = None
depends_on = None

PREFIX = {"vi": re.compile(r"^Danh sách chờ vị trí \d+:\s*"), "en": re.compile(r"^Waitlist position \d+:\s*")}


def strip(reasons: list[dict]) -> list[dict]:
    return [{**r, **{k: PREFIX[k].sub("", r[k]) for k in PREFIX if isinstance(r.get(k), str)}} for r in reasons]


def upgrade() -> None:
    conn = op.get_bind()
    enrolment = sa.table("enrolment", sa.column("id", sa.Integer), sa.column("reasons", sa.JSON))
    # The English words are ASCII, so they match however the JSON was serialised (Vietnamese may be \\u-escaped).
    rows = conn.execute(sa.select(enrolment.c.id, enrolment.c.reasons)
                        .where(sa.cast(enrolment.c.reasons, sa.Text).like("%Waitlist position %"))).all()
    for row_id, reasons in rows:
        if isinstance(reasons, str):
            reasons = json.loads(reasons)
        cleaned = strip(reasons or [])
        if cleaned != reasons:
            conn.execute(sa.update(enrolment).where(enrolment.c.id == row_id).values(reasons=cleaned))


def downgrade() -> None:
    pass  # the positions were out of date once anyone ahead left; the field is the truth either way
