"""Alembic environment: the app's engine (SQLite tuned the same way), batch mode on SQLite."""
from __future__ import annotations

from logging.config import fileConfig

from alembic import context

import app.models  # noqa: F401  (registers every table on Base.metadata)
from app.config import get_settings
from app.db import Base, make_engine

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.attributes.get("database_url") or get_settings().database_url
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


def _ours(name, type_, parent_names) -> bool:  # noqa: ANN001
    """Autogenerate leaves the task queue's tables alone: they are Procrastinate's (migration 0014)."""
    return not (type_ == "table" and (name or "").startswith("procrastinate"))


def _run(connection) -> None:  # noqa: ANN001
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds a table by copy-and-drop, which foreign keys would forbid while rows refer to it.
        # The pragma only works outside a transaction, so it goes straight to the driver connection.
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True,
                      include_name=_ours)
    with context.begin_transaction():
        context.run_migrations()
    if connection.in_transaction():
        connection.commit()
    if sqlite:
        raw = connection.connection.dbapi_connection
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        raw.execute("PRAGMA foreign_keys=ON")
        if broken:
            raise RuntimeError(f"migration left rows that break foreign keys: {broken[:5]}")


run_migrations_online()
