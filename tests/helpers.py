"""Helpers the tests share: signing in as a person would, getting an API token, and an app on a database of its own
whose transactions commit as in production."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

PASSWORD = "Mat-khau-thu-2026"


def sign_in(client: TestClient, username: str, password: str = PASSWORD):
    """Sign in through the real page: fetch the form (and its CSRF cookie), then post it."""
    client.get("/login")
    token = client.cookies.get("nangluc_csrf")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token,
                                       "next": "/dashboard"}, follow_redirects=False)


def api_token(client: TestClient, username: str, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@contextmanager
def committed_app(backend: str, username: str, role: str) -> Iterator[tuple[FastAPI, Engine]]:
    """The app on a fresh database of its own with one account (password PASSWORD), its sessions independent
    transactions as in production (on SQLite a request's takes the write lock up front, as app.db.write_session
    does): for what the usual test app, whose sessions are savepoints of one connection, cannot show."""
    from sqlalchemy.orm import Session, sessionmaker

    from app.auth import service as auth
    from app.auth.principal import Principal
    from app.db import make_engine
    from app.main import create_app
    from app.ops.migrate import upgrade
    from tests.conftest import fresh_database_url

    url = fresh_database_url(backend)
    upgrade("head", url)
    engine = make_engine(url)
    try:
        with Session(engine) as db:
            auth.create_user(db, Principal.system("test"), username=username, password=PASSWORD, role=role)
            db.commit()
        app = create_app()
        bound = engine.execution_options(nangluc_write_lock=True) if backend == "sqlite" else engine
        app.state.session_factory = sessionmaker(bind=bound, expire_on_commit=False)
        yield app, engine
    finally:
        engine.dispose()
