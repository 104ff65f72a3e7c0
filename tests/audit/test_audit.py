from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app import audit
from app.auth.principal import Principal


def test_record_keeps_who_what_when_and_hides_secrets(db):
    actor = Principal(None, "cli", "cli", "admin", None, "10.0.0.1")
    event = audit.record(db, actor, "user.create", "user", 42, {"username": "x", "password": "p"})
    assert event.occurred_at is not None and event.occurred_at.tzinfo is not None
    assert event.changes == {"username": "x", "password": "***"}
    assert [e.action for e in audit.history(db, "user", 42)] == ["user.create"]
    assert event.ip_address == "10.0.0.1"


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event"])
def test_the_database_refuses_to_rewrite_history(db, statement):
    audit.record(db, Principal.system("test"), "thing.happened", "thing", 1)
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text(statement))
