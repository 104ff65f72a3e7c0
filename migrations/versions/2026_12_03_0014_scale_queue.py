"""the task queue for background jobs and e-mail: Procrastinate's tables and functions, on PostgreSQL only (SQLite
runs jobs in the web process)

The SQL is the one the pinned Procrastinate (3.10.0) ships (`procrastinate schema --read`); a later Procrastinate
brings its own migration files (procrastinate/sql/migrations/), which go into a new revision of ours when the pin
moves.

Revision ID: 0014_scale
Revises: 0013_scale
Create Date: 2026-12-03 13:10:00
"""
from __future__ import annotations

from alembic import op
from procrastinate.schema import SchemaManager

revision = '0014_scale'
down_revision = '0013_scale'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # Straight to psycopg, without parameters: the SQL has literal % signs, and several statements.
    bind.connection.driver_connection.execute(SchemaManager.get_schema())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    bind.connection.driver_connection.execute("""DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate%'
    LOOP EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.tablename); END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%'
    LOOP EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.f); END LOOP;
    FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%' AND t.typtype IN ('e', 'c')
    LOOP EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', r.typname); END LOOP;
END $$""")
