"""The audit watch itself: it catches a request that changes a record without an audit event."""
from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from app.auth.permissions import SignedIn
from app.db import DbSession
from tests.audit.watch import AuditWatch
from tests.helpers import api_token


def test_a_change_without_an_audit_event_is_caught(app, connection, make_user, audit_watch):
    user = make_user("admin")

    @app.post("/api/v1/_untraced")
    def untraced(db: DbSession, who: SignedIn) -> dict:
        db.execute(text("UPDATE user_account SET full_name = 'Đổi lén' WHERE id = :id"), {"id": who.user_id})
        return {}

    own = AuditWatch()  # a second watch on the same app, to look at what it saw
    own.install(app, connection)
    with TestClient(app) as client:
        token = api_token(client, user.username)
        assert client.post("/api/v1/_untraced", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert own.violations == ["POST /api/v1/_untraced wrote ['user_account']"]
    assert audit_watch.violations == own.violations  # the watch every test has saw it too
    audit_watch.violations.clear()  # expected here
