from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.db import make_engine
from app.main import create_app


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_503_says_why_in_one_word_and_logs_the_drivers_message(tmp_path, caplog):
    app = create_app()
    # A PostgreSQL URL on a port where nothing listens: the database is "down".
    dead = make_engine("postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=1")
    app.state.session_factory = lambda: Session(bind=dead)
    with TestClient(app) as c:
        response = c.get("/healthz")
    assert response.status_code == 503
    # An anonymous caller learns that it is down, not the driver's message (host, port, user, server version).
    assert response.json() == {"status": "unavailable", "database": "unavailable", "reason": "unreachable"}
    assert "127.0.0.1" not in response.text and "psycopg" not in response.text
    assert any("connection" in r.getMessage() and "healthz" in r.getMessage() for r in caplog.records)


def test_healthz_says_busy_when_every_pooled_connection_is_taken(tmp_path):
    from sqlalchemy import create_engine
    app = create_app()
    engine = create_engine(f"sqlite:///{tmp_path}/busy.db", pool_size=1, max_overflow=0, pool_timeout=0.3)
    app.state.session_factory = lambda: Session(bind=engine)
    held = engine.connect()  # another request holds the only connection
    try:
        with TestClient(app) as c:
            response = c.get("/healthz")
        assert response.status_code == 503 and response.headers["retry-after"]
        assert response.json() == {"status": "unavailable", "database": "unavailable", "reason": "busy"}
    finally:
        held.close()
        engine.dispose()


def test_the_api_docs_can_be_switched_off(monkeypatch):
    from app.config import get_settings

    with TestClient(create_app()) as c:
        assert c.get("/openapi.json").status_code == 200 and c.get("/docs").status_code == 200
    monkeypatch.setenv("NANGLUC_API_DOCS", "false")
    get_settings.cache_clear()
    try:
        with TestClient(create_app()) as c:
            assert c.get("/openapi.json").status_code == 404
            assert c.get("/docs").status_code == 404
    finally:
        monkeypatch.delenv("NANGLUC_API_DOCS")
        get_settings.cache_clear()


def test_every_cookie_is_secure_over_https_and_a_forwarded_proto_counts_only_behind_a_proxy(client, monkeypatch):
    from app.config import get_settings

    def cookies(response) -> list[str]:  # noqa: ANN001
        return response.headers.get_list("set-cookie")

    over_https = TestClient(client.app, base_url="https://testserver")
    page = over_https.get("/login")
    flash = over_https.post("/lang", data={"locale": "en", "next": "/login",
                                           "csrf_token": over_https.cookies.get("nangluc_csrf")},
                            follow_redirects=False)
    set_cookies = cookies(page) + cookies(flash)
    assert {c.split("=", 1)[0] for c in set_cookies} >= {"nangluc_csrf", "nangluc_lang"}
    assert all("; secure" in c.lower() for c in set_cookies), set_cookies
    assert "strict-transport-security" in page.headers
    # Plain http: no Secure (the cookie would never come back), and a forged X-Forwarded-Proto changes nothing...
    plain = TestClient(client.app).get("/login", headers={"X-Forwarded-Proto": "https"})
    assert not any("secure" in c.lower() for c in cookies(plain))
    # ...unless the server is configured as sitting behind a TLS-terminating proxy.
    monkeypatch.setenv("NANGLUC_BEHIND_PROXY", "true")
    get_settings.cache_clear()
    try:
        proxied = TestClient(client.app).get("/login", headers={"X-Forwarded-Proto": "https"})
        assert cookies(proxied) and all("; secure" in c.lower() for c in cookies(proxied))
    finally:
        monkeypatch.delenv("NANGLUC_BEHIND_PROXY")
        get_settings.cache_clear()

