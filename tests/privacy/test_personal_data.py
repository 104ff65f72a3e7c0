"""A person sees everything held about them, asks for a correction or deletion; deletion anonymises while reports
and issued certificates stay; the retention command; every step leaves its trace."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.audit.models import AuditEvent
from app.auth.models import User
from app.certificates.models import Certificate
from app.db import utcnow
from app.enrolment.models import Enrolment
from app.people.models import Trainee
from app.privacy import service
from tests.certificates.test_issue import finished  # noqa: F401 - the fixture, shared
from tests.courses.factories import add_trainee
from tests.helpers import api_token, sign_in


def _h(client, username: str) -> dict:  # noqa: ANN001
    return {"Authorization": f"Bearer {api_token(client, username)}"}


@pytest.fixture
def person(db, make_user, course_with_class):
    user = make_user("trainee", unit="07432")
    t = add_trainee(db, course_with_class["who"], 60, user_id=user.id, **{"Họ và tên": "Lò Thị Mai"})
    return {**course_with_class, "user": user, "trainee": t}


def test_my_data_holds_my_record_enrolments_and_who_viewed_it(client, db, person):
    staff = _h(client, person["organiser"].username)
    assert client.get(f"/api/v1/trainees/{person['trainee'].id}", headers=staff).status_code == 200  # a view
    mine = client.get("/api/v1/me/data", headers=_h(client, person["user"].username))
    assert mine.status_code == 200 and "attachment" in mine.headers["content-disposition"]
    data = mine.json()
    assert data["trainee"]["full_name"] == "Lò Thị Mai"
    assert data["trainee"]["citizen_id"] == person["trainee"].citizen_id
    assert data["trainee"]["ethnicity"] == "Kinh"
    assert any(e["action"] == "trainee.view_personal" for e in data["access_and_changes"])
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "privacy.download")) == 1


def test_a_page_download_is_json_in_utf8(client, db, person):
    sign_in(client, person["user"].username)
    assert "Dữ liệu cá nhân của tôi" in client.get("/me/data").text
    body = client.get("/me/data.json")
    assert json.loads(body.content.decode("utf-8"))["trainee"]["full_name"] == "Lò Thị Mai"


def test_a_correction_request_is_handled_by_the_organiser(client, db, person):
    me = _h(client, person["user"].username)
    vague = client.post("/api/v1/me/data-requests", headers=me, json={"kind": "correction", "message": "sai"})
    assert vague.status_code == 422 and vague.json()["field"] == "message"
    made = client.post("/api/v1/me/data-requests", headers=me,
                       json={"kind": "correction", "message": "Ngày sinh đúng là 02/03/1985"})
    assert made.status_code == 201
    again = client.post("/api/v1/me/data-requests", headers=me,
                        json={"kind": "correction", "message": "Ngày sinh đúng là 02/03/1985"})
    assert again.status_code == 409
    staff = _h(client, person["organiser"].username)
    queue = client.get("/api/v1/data-requests", headers=staff).json()
    assert [r["id"] for r in queue] == [made.json()["id"]]
    refused = client.post(f"/api/v1/data-requests/{made.json()['id']}", headers=staff, json={"outcome": "refused"})
    assert refused.status_code == 422  # a refusal needs its reason
    done = client.post(f"/api/v1/data-requests/{made.json()['id']}", headers=staff,
                       json={"outcome": "done", "response": "Đã sửa theo CCCD"})
    assert done.json()["status"] == "done"
    assert client.get("/api/v1/data-requests", headers=staff).json() == []


def test_deletion_anonymises_but_certificates_stay_verifiable(client, db, finished):  # noqa: F811
    org = _h(client, finished["organiser"].username)
    issued = client.post(f"/api/v1/courses/{finished['course'].id}/certificates", headers=org, json={}).json()
    cert = next(c for c in issued["issued"] if c["full_name"] == "Đặng Thị Ngọc Ánh")
    holder = finished["holder"]
    original_cid = holder.citizen_id
    me = _h(client, finished["holder_user"].username)
    asked = client.post("/api/v1/me/data-requests", headers=me, json={"kind": "deletion", "message": ""})
    assert asked.status_code == 201
    done = client.post(f"/api/v1/data-requests/{asked.json()['id']}", headers=org,
                       json={"outcome": "done", "response": "Đã xoá"})
    assert done.status_code == 200, done.text
    db.expire_all()
    t = db.get(Trainee, holder.id)
    assert t.full_name == f"(Đã xoá dữ liệu) #{holder.id}" and t.phone is None and t.email is None
    assert t.citizen_id != original_cid and t.birth_date.month == 1 and t.birth_date.day == 1
    assert t.sex and t.ethnicity and t.unit_id  # what the reports count stays
    user = db.get(User, finished["holder_user"].id)
    assert not user.is_active and user.username.startswith("deleted-")
    assert client.get("/api/v1/me/data", headers=me).status_code == 401  # the old token no longer works
    assert db.get(Enrolment, finished["holder_enrolment"].id).status == "completed"
    verify = client.get(f"/verify/{cert['code']}", headers={"Accept": "application/json"}).json()
    assert verify["genuine"] and verify["status"] == "valid"
    assert db.scalar(select(func.count()).select_from(Certificate)) == len(issued["issued"])
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "trainee.anonymise")) == 1


def test_someone_on_a_running_course_is_not_anonymised(db, person):
    from app.enrolment import service as enrolment
    e = enrolment.register(db, person["who"], person["course"].id, person["trainee"].id)
    assert e.status == "confirmed"
    with pytest.raises(service.Conflict):
        service.anonymise(db, person["who"], person["trainee"].id, "thử")


def test_retention_counts_then_anonymises_records_that_did_not_move(db, person, monkeypatch):
    old = add_trainee(db, person["who"], 61)
    db.execute(update(Trainee).where(Trainee.id == old.id).values(updated_at=utcnow() - timedelta(days=365 * 6)))
    counted = service.apply_retention(db, apply=False)
    assert counted["to_anonymise"] == 1
    assert db.get(Trainee, old.id).full_name != f"(Đã xoá dữ liệu) #{old.id}"
    done = service.apply_retention(db, apply=True)
    assert done["anonymised"] == 1
    db.expire_all()
    assert db.get(Trainee, old.id).full_name == f"(Đã xoá dữ liệu) #{old.id}"
    assert db.get(Trainee, person["trainee"].id).full_name == "Lò Thị Mai"  # recent: kept
    assert service.apply_retention(db, apply=False)["to_anonymise"] == 0
