"""Admins search the audit trail and export it; the export is itself recorded; nobody else sees it."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from app import audit
from app.audit.models import AuditEvent
from app.auth.principal import Principal
from tests.helpers import api_token, sign_in


def test_admin_searches_and_exports_the_trail(client, db, make_user):
    admin = make_user("admin")
    who = Principal.system("kiểm thử")
    audit.record(db, who, "certificate.issue", "certificate", 7, {"number": "=1+1"})
    audit.record(db, who, "trainee.export", "trainee", None, {"rows": 3})
    db.flush()
    h = {"Authorization": f"Bearer {api_token(client, admin.username)}"}
    found = client.get("/api/v1/audit", params={"action": "certificate."}, headers=h).json()
    assert found["total"] == 1 and found["items"][0]["entity_id"] == "7"
    sign_in(client, admin.username)
    page = client.get("/audit", params={"entity_type": "trainee"})
    assert page.status_code == 200 and "trainee.export" in page.text and "certificate.issue" not in page.text
    exported = client.get("/audit/export.csv", params={"action": "certificate."})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["id", "occurred_at", "actor", "ip_address", "action"]
    assert [r[4] for r in rows[1:]] == ["certificate.issue"]
    assert db.scalars(select(AuditEvent.action).where(AuditEvent.action == "audit.export")).all() == ["audit.export"]


def test_only_admins_see_the_trail(client, db, make_user):
    organiser = make_user("organiser", unit="24")
    h = {"Authorization": f"Bearer {api_token(client, organiser.username)}"}
    assert client.get("/api/v1/audit", headers=h).status_code == 403
    sign_in(client, organiser.username)
    assert client.get("/audit").status_code == 403
