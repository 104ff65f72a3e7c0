"""Behind PgBouncer in transaction mode (`NANGLUC_DB_PGBOUNCER=true`), the app keeps psycopg's prepared statements
where PgBouncer keeps them across its server connections (1.22 or later with `max_prepared_statements` above 0) and
prepares none where it does not (Debian 12's 1.18, or `max_prepared_statements = 0`): app.db asks each new
connection (docs/operations.md, "PgBouncer")."""
from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy import text

from app.db import make_engine
from tests.conftest import fresh_database_url
from tests.reliability.pgbouncer import BINARY, available, newer_pgbouncer, pgbouncer, version

CLIENTS, SERVER_CONNECTIONS, TRANSACTIONS = 6, 2, 30
STATEMENT = "SELECT count(*) FROM pg_class WHERE relpages >= :n"


@pytest.mark.parametrize(("which", "max_prepared", "kept"), [
    ("newer", 200, True),   # PgBouncer 1.22+ keeping up to 200 statements per server connection
    ("newer", 0, False),    # the same PgBouncer told to keep none
    ("debian", None, None),  # Debian's, as installed: 1.18 on Debian 12 keeps none (1.24, Debian 13's, keeps 200)
])
def test_the_app_prepares_statements_only_behind_a_pgbouncer_that_keeps_them(which: str, max_prepared: int | None,
                                                                             kept: bool | None, caplog):
    caplog.set_level(logging.INFO, logger="nangluc")
    url = fresh_database_url("postgresql")
    if which == "debian":
        if not available():
            pytest.fail("pgbouncer is not installed (apt-get install pgbouncer; .ci/run does)")
        binary, kept = BINARY, version(BINARY) >= (1, 24)  # max_prepared_statements defaults to 200 from 1.24
    else:
        binary = newer_pgbouncer()
    errors: list[str] = []
    with pgbouncer(url, pool_size=SERVER_CONNECTIONS, binary=binary, prepared=max_prepared) as served:
        engine = make_engine(served, pool_size=CLIENTS, max_overflow=0, pgbouncer=True)
        try:
            def client() -> None:
                # psycopg prepares the statement at its sixth run on a connection; six clients share two server
                # connections, so a later transaction runs on another server connection than the one it was
                # prepared on: an unkept prepared statement fails there ("… does not exist" / "already exists").
                try:
                    for n in range(TRANSACTIONS):
                        with engine.begin() as conn:
                            conn.execute(text(STATEMENT), {"n": n}).scalar_one()
                except Exception as err:  # noqa: BLE001 - any failure is the finding
                    errors.append(repr(err)[:300])

            clients = [threading.Thread(target=client) for _ in range(CLIENTS)]
            for t in clients:
                t.start()
            for t in clients:
                t.join(120)
            assert errors == []
            with engine.connect() as conn:
                thresholds = {conn.connection.dbapi_connection.prepare_threshold}
                # The statements prepared on the server connection this transaction runs on.
                on_server = dict(conn.execute(text("SELECT name, statement FROM pg_prepared_statements")).all())
            assert engine.pool.checkedin() == CLIENTS  # every client connection asked PgBouncer on its own
        finally:
            engine.dispose()
    assert not any(name.startswith("_pg3_") for name in on_server)  # psycopg's own names never reach PostgreSQL
    # The log says once which it found, however many connections asked.
    said = [r.getMessage() for r in caplog.records if "behind PgBouncer" in r.getMessage()]
    assert said == ["behind PgBouncer: prepared statements " + (
        "kept (PgBouncer keeps them)" if kept else "off (PgBouncer older than 1.22, or max_prepared_statements = 0)")]
    if kept:
        assert thresholds == {5}
        assert any(name.startswith("PGBOUNCER_") and "relpages" in sql for name, sql in on_server.items())
    else:
        assert thresholds == {None}
        assert on_server == {}
