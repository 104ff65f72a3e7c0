"""A database connection that dies in the middle of a request: the answer is a 503, never a 500.

Found by the restart-under-load fault test (PostgreSQL stopped while requests run): a pooled connection passed its
pre-ping, then the server went away during `/healthz`'s `SELECT 1`. The endpoint answered 503, but the request's
commit then met the invalidated transaction and turned the answer into a 500. Here the same thing happens on
purpose: the pool hands out a connection whose server process was terminated (not pinged), on a real PostgreSQL.
"""
from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from app.db import make_engine
from app.main import create_app
from tests.conftest import fresh_database_url, postgres_admin_url


def _pooled_connection_killed(ping_after: float):  # noqa: ANN202
    """An engine of the app's kind with one pooled connection, whose server process has just been terminated."""
    engine = make_engine(fresh_database_url("postgresql"), pool_size=1, max_overflow=0, ping_after=ping_after)
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    killer = create_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    with killer.connect() as k:
        assert k.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    killer.dispose()
    app = create_app()
    app.state.session_factory = sessionmaker(bind=engine, expire_on_commit=False)
    return engine, app


def test_healthz_answers_503_when_its_connection_dies_during_the_request():
    """A connection used a moment ago is not pinged (app.db._ping_when_idle): its loss costs this one 503."""
    engine, app = _pooled_connection_killed(ping_after=60)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            dead = client.get("/healthz")
            assert dead.status_code == 503, dead.text[:300]
            assert dead.json() == {"status": "unavailable", "database": "unavailable", "reason": "connection_lost"}
            # The pool dropped the dead connection: the next request gets a new one and all is well again.
            again = client.get("/healthz")
            assert again.status_code == 200 and again.json() == {"status": "ok", "database": "ok"}
    finally:
        engine.dispose()


def test_a_connection_idle_longer_than_the_ping_delay_is_replaced_before_the_request_uses_it():
    engine, app = _pooled_connection_killed(ping_after=0.2)
    time.sleep(0.3)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            answer = client.get("/healthz")
            assert answer.status_code == 200 and answer.json() == {"status": "ok", "database": "ok"}
    finally:
        engine.dispose()
