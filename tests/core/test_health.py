from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.db import make_engine
from app.main import create_app


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_503_with_reason_when_database_is_down(tmp_path):
    app = create_app()
    # A PostgreSQL URL on a port where nothing listens: the database is "down".
    dead = make_engine("postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=1")
    app.state.session_factory = lambda: Session(bind=dead)
    with TestClient(app) as c:
        response = c.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "unreachable"
    assert body["reason"]
