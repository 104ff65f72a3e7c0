"""The guided pages of a past course, as a browser sends them (signed in through the form, CSRF token), each step
leaving its audit event; a refused step says why and changes nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.principal import Principal
from app.courses.models import Course
from app.curricula import service as curricula
from tests.audit.test_every_route import trail  # noqa: F401 - a fixture, shared
from tests.history.test_past_courses import former_official, participants_xlsx


def test_the_guided_pages_record_a_2023_course_step_by_step(trail, db, make_user):  # noqa: F811
    curricula.sync(db, Principal.system("t"))
    org = trail.person(make_user("organiser", unit="24").username)
    form = org.client.get("/past-courses/new")
    assert form.status_code == 200 and "Ghi nhận khoá học đã tổ chức" in form.text

    created = org.page("/past-courses", action="course.record_past", entity="course", data={
        "curriculum": "CT2", "title": "Lớp Lạng Giang 2023", "unit": "old:217", "start_date": "2023-10-10",
        "end_date": "2023-10-11", "places": "old:07435, old:07438", "organising_body": "Phòng Văn hóa huyện",
        "signer_title": "TRƯỞNG PHÒNG", "signer_name": "Hoàng Văn Ký", "min_attendance_percent": "50"})
    course_id = int(created.event.entity_id)
    assert created.response.headers["location"] == f"/courses/{course_id}/past"
    page = org.client.get(f"/courses/{course_id}/past").text
    assert "Xã Đại Lâm" in page and "Xã Thái Đào" in page

    for day in ("2023-10-10", "2023-10-11"):
        org.page("/courses/{course_id}/past/sessions", course_id=course_id, action="session.create",
                 entity="course", data={"session_date": day, "part_of_day": "morning"})
    sheet = participants_xlsx([former_official(1, "Đại Lâm", 1), former_official(2, "Thái Đào", 0)])
    preview = org.client.post(f"/courses/{course_id}/past/participants",
                              data={"csrf_token": org.client.cookies.get("nangluc_csrf")},
                              files={"file": ("lop.xlsx", sheet)})
    assert preview.status_code == 200 and "2 người mới" in preview.text
    token = preview.text.split('name="token" value="')[1].split('"')[0]
    org.page("/courses/{course_id}/past/participants", course_id=course_id, action="course.import_participants",
             entity="course", data={"token": token, "filename": "lop.xlsx", "lawful_basis_confirmed": "on"})

    events = db.scalar(select(func.count()).select_from(AuditEvent))
    late = org.client.post(f"/courses/{course_id}/past/sessions", data={
        "csrf_token": org.client.cookies.get("nangluc_csrf"), "session_date": "", "part_of_day": "morning"})
    assert late.status_code == 422 and "Cần nhập ngày của buổi học" in late.text
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == events

    org.page("/courses/{course_id}/past/finish", course_id=course_id, action="course.record_past_finish",
             entity="course")
    assert db.get(Course, course_id).status == "finished"
    refused = org.client.post(f"/courses/{course_id}/past/finish",
                              data={"csrf_token": org.client.cookies.get("nangluc_csrf")})
    assert refused.status_code == 409 and "việc ghi nhận đã xong" in refused.text


def test_a_course_still_to_come_is_refused_with_the_reason(trail, db, make_user):  # noqa: F811
    curricula.sync(db, Principal.system("t"))
    org = trail.person(make_user("organiser", unit="24").username)
    r = org.client.post("/past-courses", data={"csrf_token": org.client.cookies.get("nangluc_csrf"),
                                               "curriculum": "CT2", "title": "Lớp sau", "start_date": "2099-01-01",
                                               "end_date": "2099-01-02"})
    assert r.status_code == 422 and "chưa phải khoá học đã tổ chức" in r.text
    assert db.scalar(select(func.count()).select_from(Course)) == 0
