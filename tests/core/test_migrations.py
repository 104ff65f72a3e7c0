"""Migrations: empty → head → base → head on both databases, and the models match the migrations."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

import app.models  # noqa: F401
from app.db import Base, make_engine
from app.ops.migrate import downgrade, upgrade
from tests.conftest import fresh_database_url


def ours(name, type_, parent_names) -> bool:  # noqa: ANN001
    return not (type_ == "table" and (name or "").startswith("procrastinate"))


def test_upgrade_downgrade_upgrade_and_no_drift(backend):
    url = fresh_database_url(backend)
    upgrade("head", url)
    downgrade("base", url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    upgrade("head", url)
    with engine.connect() as conn:
        # The task queue's tables are Procrastinate's, created from its own SQL (migration 0014), not our models.
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True,
                                                                       "include_name": ours}), Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        assert conn.execute(text("SELECT count(*) FROM admin_unit WHERE era = 'current' AND level = 'province'")
                            ).scalar() == 34
    engine.dispose()
