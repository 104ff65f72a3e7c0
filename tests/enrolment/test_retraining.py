"""Retraining is a course setting (default: people are trained again); a course that sets a gap refuses, with its
reason, someone who completed the same curriculum within it, and an organiser may still nominate them with a
written reason that stays on the enrolment and in the audit trail."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.principal import Principal
from app.curricula import service as curricula
from app.db import utcnow
from app.enrolment.models import Enrolment
from tests.courses.factories import add_trainee, open_course, principal
from tests.helpers import api_token, sign_in


def _trained_last_year(db, who, trainee):  # noqa: ANN001, ANN202
    done = open_course(db, who, capacity=5, title="Lớp năm ngoái")
    done.start_date = done.end_date = utcnow().date() - timedelta(days=365)
    done.status = "finished"
    db.add(Enrolment(course_id=done.id, trainee_id=trainee.id, status="completed", registered_at=utcnow(),
                     reasons=[], priority_rank=1, priority_sub_rank=0))
    db.flush()


def test_retraining_is_a_course_setting_with_its_reason_and_a_written_override(client, db, make_user):
    curricula.sync(db, Principal.system("t"))
    organiser = make_user("organiser", unit="24")
    who = principal(organiser)
    trainee_user = make_user("trainee", unit="07432")
    again = add_trainee(db, who, 5, user_id=trainee_user.id)
    other = add_trainee(db, who, 6)
    _trained_last_year(db, who, again)
    _trained_last_year(db, who, other)
    course = open_course(db, who, capacity=10, title="Lớp năm nay")
    org = {"Authorization": f"Bearer {api_token(client, organiser.username)}"}
    me = {"Authorization": f"Bearer {api_token(client, trainee_user.username)}"}

    plan = client.get(f"/api/v1/courses/{course.id}", headers=org).json()
    assert plan["retraining_gap_years"] == 0 and plan["retraining"]["code"] == "retraining_allowed"
    # Default off: the official trained last year registers again.
    first = client.post(f"/api/v1/courses/{course.id}/enrolments", headers=me, json={})
    assert first.status_code == 201, first.text

    patched = client.patch(f"/api/v1/courses/{course.id}", headers=org, json={"retraining_gap_years": 3})
    assert patched.status_code == 200 and patched.json()["retraining"]["code"] == "retraining_gap"
    assert client.patch(f"/api/v1/courses/{course.id}", headers=org,
                        json={"retraining_gap_years": 99}).status_code == 422
    sign_in(client, organiser.username)
    page = client.get(f"/courses/{course.id}").text
    assert "Không nhận người đã hoàn thành chương trình CT2 trong vòng 3 năm" in page

    refused = client.post(f"/api/v1/courses/{course.id}/enrolments", headers=org, json={"trainee_id": other.id})
    assert refused.status_code == 409
    body = refused.json()
    assert [r["code"] for r in body["reasons"]] == ["completed_recently"] and body["overridable"] is True
    assert "có thể cử học lại khi ghi lý do" in body["detail"]
    assert db.scalar(select(Enrolment).where(Enrolment.course_id == course.id,
                                             Enrolment.trainee_id == other.id)) is None

    why = "Cán bộ mới chuyển sang phụ trách đài truyền thanh, cần học lại phần kỹ năng"
    nominated = client.post(f"/api/v1/courses/{course.id}/enrolments", headers=org,
                            json={"trainee_id": other.id, "reason": why})
    assert nominated.status_code == 201, nominated.text
    assert nominated.json()["reasons"][1] == {"code": "nominated_again", "vi": f"Cán bộ tổ chức cử học lại: {why}",
                                             "en": f"Nominated again by an organiser: {why}"}
    e = db.scalar(select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.trainee_id == other.id))
    assert e.status == "confirmed" and why in e.override_reason
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "enrolment.register",
                                               AuditEvent.entity_id == str(e.id)))
    assert why in event.note
