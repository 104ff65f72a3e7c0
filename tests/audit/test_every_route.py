"""Every state-changing route leaves its audit event: each is called here the way people call it — the pages signed
in through the real form, with the CSRF token; the JSON API with a bearer token — with a valid request that changes
data, and the test finds the event it wrote (its action and the kind of record). Together with the rest of the suite
this exercises every state-changing route; tests/audit/test_coverage.py fails the whole run when one is left out.
"""
from __future__ import annotations

import io
import re
import time as pytime
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.attendance.models import AttendanceMark
from app.audit.models import AuditEvent
from app.auth.models import User
from app.auth.principal import Principal
from app.certificates import service as certificates
from app.certificates.models import Certificate
from app.courses import service as courses
from app.courses.models import CourseModule, CourseSession
from app.curricula import service as curricula
from app.db import utcnow
from app.enrolment import service as enrolment
from app.jobs.models import Job
from app.people import service as people_service
from app.people.models import Trainee
from tests.attendance.conftest import course_with_class  # noqa: F401 - a fixture, shared
from tests.audit.watch import AuditWatch, state_changing_routes
from tests.certificates.test_issue import finished  # noqa: F401 - a fixture, shared
from tests.courses.factories import add_trainee, open_course, principal
from tests.helpers import PASSWORD, api_token, sign_in
from tests.people.factories import cccd

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CSRF = "nangluc_csrf"


@cache
def _routes() -> frozenset[tuple[str, str]]:
    return frozenset(state_changing_routes())


@dataclass
class Hit:
    response: Response
    event: AuditEvent  # the first event of the expected action and kind
    events: list[AuditEvent]  # every event the request wrote


@dataclass
class Trail:
    """Sends one request to a named route and finds the audit event it wrote in the same request."""

    app: object
    db: Session
    watch: AuditWatch
    clients: list[TestClient] = field(default_factory=list)

    def check(self, method: str, route: str, send: Callable[[], Response], *, action: str, entity: str,
              entity_id: object = None, status: int) -> Hit:
        assert (method, route) in _routes(), f"the app has no state-changing route {method} {route}"
        before = self.db.scalar(select(func.max(AuditEvent.id))) or 0
        response = send()
        assert response.status_code == status, f"{method} {route}: {response.status_code} {response.text[:400]}"
        events = list(self.db.scalars(select(AuditEvent).where(AuditEvent.id > before).order_by(AuditEvent.id)))
        found = [e for e in events if e.action == action and e.entity_type == entity
                 and (entity_id is None or e.entity_id == str(entity_id))]
        assert found, (f"{method} {route} wrote {[(e.action, e.entity_type, e.entity_id) for e in events]}, "
                       f"not {action} on {entity} {entity_id or ''}")
        # The watch on the app saw this very request, on this route, write its audit event.
        assert self.watch.last is not None and self.watch.last[0] == (method, route), self.watch.last
        assert "audit_event" in self.watch.last[1] and (method, route) in self.watch.exercised
        return Hit(response, found[0], events)

    def person(self, username: str, password: str = PASSWORD) -> Actor:
        """Someone signed in through the sign-in page (a cookie session) who also holds an API token."""
        actor = self.anonymous()
        assert sign_in(actor.client, username, password).status_code == 303
        actor.bearer = {"Authorization": f"Bearer {api_token(actor.client, username, password)}"}
        return actor

    def anonymous(self) -> Actor:
        client = TestClient(self.app, base_url="http://testserver")
        self.clients.append(client)
        client.get("/login")  # the form sets the CSRF cookie
        return Actor(self, client)


@dataclass
class Actor:
    trail: Trail
    client: TestClient
    bearer: dict = field(default_factory=dict)

    def page(self, route: str, *, action: str, entity: str, data: dict | None = None, files: dict | None = None,
             entity_id: object = None, status: int = 303, **params: object) -> Hit:
        """Submit a page's form (POST with the CSRF token from the cookie, as the browser does)."""
        form = {**(data or {}), "csrf_token": self.client.cookies.get(CSRF)}
        return self.trail.check("POST", route, lambda: self.client.post(
            route.format(**params), data=form, files=files, follow_redirects=False),
            action=action, entity=entity, entity_id=entity_id, status=status)

    def api(self, method: str, route: str, *, action: str, entity: str, json: dict | None = None,
            entity_id: object = None, status: int = 200, **params: object) -> Hit:
        return self.trail.check(method, route, lambda: self.client.request(
            method, route.format(**params), json=json, headers=self.bearer),
            action=action, entity=entity, entity_id=entity_id, status=status)

    def get(self, url: str, api: bool = False) -> Response:
        return self.client.get(url, headers=self.bearer if api else None)


@pytest.fixture
def trail(app, db, audit_watch) -> Iterator[Trail]:  # noqa: ANN001
    t = Trail(app, db, audit_watch)
    yield t
    for client in t.clients:
        client.close()


def _vn_today() -> date:
    return datetime.now(VN).date()


def _clear_of_vn_midnight() -> None:
    """A session set on today, 00:00–23:59 in Vietnam, has ended by the time a scan a few seconds later runs across
    midnight (17:00 UTC): a test that starts in the last two minutes of the day waits for the next one."""
    now = datetime.now(VN)
    if now.hour == 23 and now.minute >= 58:
        pytime.sleep((60 - now.minute) * 60 - now.second + 2)


# --- planning a course: create, details, local content, lecturers, sessions, budget, copy, life cycle --------------


def test_planning_a_course_leaves_a_trace_of_every_step(trail, db, make_user):
    curricula.sync(db, Principal.system("t"))
    org = trail.person(make_user("organiser", unit="24").username)
    start = utcnow().date() + timedelta(days=30)

    created = org.page("/courses", data={"curriculum": "CT2", "title": "Kỹ năng làm chương trình phát thanh xã",
                                         "unit": "24"}, action="course.create", entity="course")
    course_id = int(created.event.entity_id)
    assert created.response.headers["location"] == f"/courses/{course_id}/edit"
    assert created.event.changes["curriculum"] == "CT2"

    edited = org.page("/courses/{course_id}/edit", course_id=course_id, action="course.update", entity="course",
                      entity_id=course_id, data={
                          "title": "Kỹ năng làm chương trình phát thanh xã", "form": "in_person",
                          "organising_body": "Sở Văn hóa, Thể thao và Du lịch tỉnh Bắc Ninh",
                          "signer_title": "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC", "signer_name": "Nguyễn Văn Ký",
                          "venue": "Hội trường Trung tâm", "capacity": "40", "start_date": start.isoformat(),
                          "end_date": start.isoformat(), "registration_opens": utcnow().date().isoformat(),
                          "registration_closes": (start - timedelta(days=3)).isoformat(),
                          "min_attendance_percent": "80", "places": "24"})
    assert edited.event.changes["capacity"] == [None, 40]
    assert "course.set_places" in [e.action for e in edited.events]

    org.page("/courses/{course_id}/modules", course_id=course_id, action="course.add_local_module", entity="course",
             data={"title": "Chuyển đổi số trong truyền thanh cơ sở", "theory_hours": "4", "practice_hours": "2"})
    local = db.scalar(select(CourseModule).where(CourseModule.course_id == course_id, CourseModule.is_local))
    topic = org.page("/courses/{course_id}/modules/{module_id}/topics", course_id=course_id, module_id=local.id,
                     action="course.add_local_topic", entity="course", data={"title": "Trang tin điện tử của xã"})
    assert topic.event.changes == {"module": local.code, "title": "Trang tin điện tử của xã"}

    lecturer = org.page("/lecturers", action="lecturer.create", entity="lecturer",
                        data={"full_name": "Trần Thị Giảng", "title": "ThS.", "organisation": "Trường Chính trị tỉnh"})
    lecturer_id = int(lecturer.event.entity_id)

    first_module = db.scalar(select(CourseModule.id).where(CourseModule.course_id == course_id)
                             .order_by(CourseModule.position))
    session_ids = []
    for part in ("morning", "afternoon"):
        added = org.page("/courses/{course_id}/sessions", course_id=course_id, action="session.create",
                         entity="course", data={"session_date": start.isoformat(), "part_of_day": part,
                                                "module_ids": [str(first_module)], "lecturer_id": str(lecturer_id),
                                                "room": "Phòng 2"})
        session_ids.append(added.event.changes["session"])
    moved = org.api("PUT", "/api/v1/courses/{course_id}/sessions/{session_id}", course_id=course_id,
                    session_id=session_ids[1], action="session.update", entity="course",
                    json={"session_date": (start + timedelta(days=1)).isoformat(), "part_of_day": "morning",
                          "module_ids": [local.id], "room": "Phòng 3"})
    assert moved.response.json()["session_date"] == (start + timedelta(days=1)).isoformat()
    assert moved.event.changes["after"]["modules"] == [local.code]
    org.page("/courses/{course_id}/sessions/{session_id}/delete", course_id=course_id, session_id=session_ids[0],
             action="session.delete", entity="course")
    gone = org.api("DELETE", "/api/v1/courses/{course_id}/sessions/{session_id}", course_id=course_id,
                   session_id=session_ids[1], action="session.delete", entity="course", status=204)
    assert gone.event.changes["session"] == session_ids[1]

    line = org.page("/courses/{course_id}/budget", course_id=course_id, action="course.add_budget_line",
                    entity="course", data={"category": "hall", "description": "Thuê hội trường 1 ngày",
                                           "planned_amount": "5.000.000", "funding_source": "local"})
    assert line.event.changes["planned"] == "5000000"
    org.page("/courses/{course_id}/budget/{line_id}/delete", course_id=course_id,
             line_id=line.event.changes["line"], action="course.remove_budget_line", entity="course")
    api_line = org.client.post(f"/api/v1/courses/{course_id}/budget", headers=org.bearer, json={
        "category": "materials", "planned_amount": "1200000", "funding_source": "central"})
    assert api_line.status_code == 201, api_line.text
    org.api("DELETE", "/api/v1/courses/{course_id}/budget/{line_id}", course_id=course_id,
            line_id=api_line.json()["id"], action="course.remove_budget_line", entity="course", status=204)
    assert org.get(f"/api/v1/courses/{course_id}", api=True).json()["budget"] == []

    copy = org.page("/courses/{course_id}/copy", course_id=course_id, action="course.copy", entity="course")
    copy_id = int(copy.event.entity_id)
    assert copy_id != course_id and copy.event.changes["from"] == created.event.changes["code"]
    assert copy.response.headers["location"] == f"/courses/{copy_id}/edit"

    cancelled = org.page("/courses/{course_id}/transition", course_id=copy_id, action="course.transition",
                         entity="course", entity_id=copy_id,
                         data={"target": "cancelled", "reason": "Trùng lịch với lớp của tỉnh"})
    assert cancelled.event.changes == {"status": ["draft", "cancelled"]}
    assert cancelled.event.note == "Trùng lịch với lớp của tỉnh"
    for hit in (created, edited, topic, lecturer, moved, line, copy, cancelled):
        assert hit.event.actor_label and hit.event.actor_id is not None


# --- enrolment: register, nominate, decide, allocate, withdraw ------------------------------------------------------


def test_enrolment_decisions_leave_a_trace(trail, db, make_user):
    curricula.sync(db, Principal.system("t"))
    organiser = make_user("organiser", unit="24")
    who = principal(organiser)
    course = open_course(db, who, capacity=1, title="Lớp xét duyệt")
    courses.update_course(db, who, course.id, {"allocation_mode": "review"})
    users = [make_user("trainee", unit="07432") for _ in range(2)]
    a, b = (add_trainee(db, who, i, user_id=u.id) for i, u in zip((51, 52), users, strict=True))
    c, d = add_trainee(db, who, 53), add_trainee(db, who, 54)
    d_enrolment = enrolment.register(db, who, course.id, d.id)
    org = trail.person(organiser.username)
    first, second = trail.person(users[0].username), trail.person(users[1].username)

    registered = first.page("/courses/{course_id}/register", course_id=course.id, action="enrolment.register",
                            entity="enrolment")
    assert registered.event.changes["status"] == "pending" and registered.event.changes["trainee"] == a.id
    b_enrolment = second.client.post(f"/api/v1/courses/{course.id}/enrolments", headers=second.bearer, json={})
    assert b_enrolment.status_code == 201 and b_enrolment.json()["status"] == "pending"
    assert b_enrolment.json()["trainee_id"] == b.id

    nominated = org.page("/courses/{course_id}/enrolments/bulk", course_id=course.id, action="enrolment.register",
                         entity="enrolment", data={"action": "nominate", "ids": [str(c.id)]})
    assert nominated.event.changes["nominated"] is True and nominated.event.changes["trainee"] == c.id
    rejected = org.page("/courses/{course_id}/enrolments/bulk", course_id=course.id, action="enrolment.decide",
                        entity="enrolment", entity_id=d_enrolment.id,
                        data={"action": "rejected", "ids": [str(d_enrolment.id)], "reason": "Đã học lớp khác"})
    assert rejected.event.changes == {"status": ["pending", "rejected"]}
    c_enrolment = int(nominated.event.entity_id)
    confirmed = org.api("POST", "/api/v1/enrolments/{enrolment_id}/decision", enrolment_id=c_enrolment,
                        action="enrolment.decide", entity="enrolment", entity_id=c_enrolment,
                        json={"status": "confirmed", "reason": "Phụ trách đài truyền thanh xã"})
    assert confirmed.response.json()["status"] == "confirmed"

    withdrawn = first.page("/enrolments/{enrolment_id}/withdraw", enrolment_id=registered.event.entity_id,
                           action="enrolment.withdraw", entity="enrolment", data={"reason": "Bận công tác"})
    assert withdrawn.event.changes == {"status": ["pending", "withdrawn"]} and withdrawn.event.note == "Bận công tác"

    db.refresh(course)  # registration has closed: time to allocate the seats
    course.registration_opens = utcnow().date() - timedelta(days=10)
    course.registration_closes = utcnow().date() - timedelta(days=1)
    db.flush()
    full = org.page("/courses/{course_id}/enrolments/allocate", course_id=course.id, action="enrolment.allocate",
                    entity="course", entity_id=course.id)
    assert full.event.changes == {"confirmed": 0, "waitlisted": 1}  # the one seat went to the nominee
    more = org.client.patch(f"/api/v1/courses/{course.id}", headers=org.bearer, json={"capacity": 2})
    assert more.status_code == 200, more.text
    again = org.api("POST", "/api/v1/courses/{course_id}/enrolments/allocate", course_id=course.id,
                    action="enrolment.allocate", entity="course", entity_id=course.id)
    # The second seat went to the waiting one as soon as it was added (enrolment.promote): nothing left to allocate.
    assert again.event.changes == {"confirmed": 0, "waitlisted": 0}
    b_id = b_enrolment.json()["id"]
    left = second.api("POST", "/api/v1/enrolments/{enrolment_id}/withdraw", enrolment_id=b_id,
                      action="enrolment.withdraw", entity="enrolment", entity_id=b_id, json={"reason": ""})
    assert left.response.json()["status"] == "withdrawn" and left.event.changes == {"status": ["confirmed",
                                                                                                 "withdrawn"]}


# --- attendance: self check-in (API and phone page), undo, marks from paper, assessment ----------------------------


def _marks_xlsx(rows: list[tuple[str, str, str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["Số CCCD", "Buổi", "Điểm danh"])
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_attendance_leaves_a_trace_of_every_mark(trail, db, make_user, course_with_class):  # noqa: F811
    c = course_with_class
    course = c["course"]
    user = make_user("trainee", unit="07432")
    mine = enrolment.register(db, c["who"], course.id, add_trainee(db, c["who"], 60, user_id=user.id).id)
    assert mine.status == "confirmed"
    morning, afternoon = db.scalars(select(CourseSession).where(CourseSession.course_id == course.id)
                                    .order_by(CourseSession.start_time))
    _clear_of_vn_midnight()
    for s in (morning, afternoon):  # both sessions run today, all day, so that a scan now is in time
        s.session_date, s.start_time, s.end_time = _vn_today(), time(0, 0), time(23, 59)
    db.flush()
    org = trail.person(c["organiser"].username)
    trainee = trail.person(user.username)

    code = org.get(f"/api/v1/courses/{course.id}/sessions/{morning.id}/check-in-code", api=True).json()["code"]
    scanned = trainee.api("POST", "/api/v1/sessions/{session_id}/check-in", session_id=morning.id,
                          json={"code": code}, action="attendance.check_in", entity="attendance_mark")
    assert scanned.response.json()["already"] is False
    assert scanned.event.changes["enrolment"] == mine.id and scanned.event.changes["method"] == "check_in"

    screen = org.get(f"/courses/{course.id}/sessions/{afternoon.id}/check-in")
    page_code = re.search(r'data-code="([^"]+)"', screen.text).group(1)
    tapped = trainee.page("/check-in/{code}", code=page_code, action="attendance.check_in",
                          entity="attendance_mark", status=200)
    assert tapped.event.changes["session"] == afternoon.id
    assert course.title in tapped.response.text

    undone = org.api("DELETE", "/api/v1/courses/{course_id}/attendance/{session_id}/{enrolment_id}",
                     course_id=course.id, session_id=morning.id, enrolment_id=mine.id, action="attendance.unmark",
                     entity="attendance_mark", entity_id=scanned.event.entity_id)
    assert undone.response.json() == {"removed": True}
    assert db.scalar(select(AttendanceMark).where(AttendanceMark.session_id == morning.id,
                                                  AttendanceMark.enrolment_id == mine.id)) is None

    ids = [db.get(Trainee, e.trainee_id).citizen_id for e in c["enrolments"]]
    content = _marks_xlsx([(cid, "1", "x") for cid in ids])
    preview = org.client.post(f"/courses/{course.id}/attendance/import", data={"csrf_token": org.client.cookies.get(
        CSRF)}, files={"file": ("diem-danh.xlsx", content, "application/octet-stream")})
    assert preview.status_code == 200, preview.text[:400]
    token = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
    imported = org.page("/courses/{course_id}/attendance/import", course_id=course.id, action="attendance.import",
                        entity="course", entity_id=course.id, data={"token": token, "filename": "diem-danh.xlsx"})
    assert imported.event.changes == {"file": "diem-danh.xlsx", "marks": 3, "changed": 3}
    assert [e.action for e in imported.events].count("attendance.mark") == 3

    passed = org.api("PUT", "/api/v1/courses/{course_id}/enrolments/{enrolment_id}/assessment", course_id=course.id,
                     enrolment_id=mine.id, action="enrolment.assessment", entity="enrolment", entity_id=mine.id,
                     json={"passed": True})
    assert passed.event.changes == {"passed": [None, True]}
    failed = org.page("/courses/{course_id}/enrolments/{enrolment_id}/assessment", course_id=course.id,
                      enrolment_id=mine.id, action="enrolment.assessment", entity="enrolment", entity_id=mine.id,
                      data={"passed": "no"})
    assert failed.event.changes == {"passed": [True, False]}


# --- certificates: issue from the page, revoke and reissue, print an area (background jobs) -------------------------


def test_certificates_leave_a_trace_of_issue_revoke_and_print(trail, db, finished, monkeypatch):  # noqa: F811
    course = finished["course"]
    organiser = finished["organiser"]
    org = trail.person(organiser.username)

    monkeypatch.setattr(certificates, "ISSUE_INLINE_MAX", 2)  # three to issue: a background job, as for 51
    started = org.page("/courses/{course_id}/certificates", course_id=course.id,
                       action="job.start.certificates.issue", entity="job")
    assert started.response.headers["location"] == f"/jobs/{started.event.entity_id}"
    # The job ran after the response (inside the same call here); its work is on the trail in the organiser's name.
    issued = [e for e in started.events if e.action == "certificate.issue"]
    assert len(issued) == 3 and {e.actor_id for e in issued} == {organiser.id}
    first = db.scalar(select(Certificate).where(Certificate.id == int(issued[0].entity_id)))

    revoked = org.page("/certificates/{certificate_id}/revoke", certificate_id=first.id, action="certificate.revoke",
                       entity="certificate", entity_id=first.id,
                       data={"reason": "Sai năm sinh trong hồ sơ", "category": "data_error", "reissue": "on"})
    assert revoked.event.changes == {"number": first.number, "reason": "Sai năm sinh trong hồ sơ",
                                     "category": "data_error", "public_note": None}
    assert [e.action for e in revoked.events] == ["certificate.revoke", "certificate.issue"]

    today = utcnow().date()
    period = {"date_from": today.isoformat(), "date_to": (today + timedelta(days=60)).isoformat()}
    printed = org.page("/certificates/print", action="job.start.certificates.print", entity="job",
                       data={"unit": "24", "fmt": "pdf", **period})
    job_id = int(printed.event.entity_id)
    assert printed.response.headers["location"] == f"/jobs/{job_id}"
    job = db.get(Job, job_id, populate_existing=True)  # the job ran after the response, inside the same call
    assert (job.status, job.result) == ("done", {"certificates": 3})
    assert org.get(f"/jobs/{job_id}/file").content.startswith(b"%PDF")

    zipped = org.api("POST", "/api/v1/certificates/print", action="job.start.certificates.print", entity="job",
                     status=202, json={"unit": "07432", "format": "zip", **period})
    follow = org.get(f"/api/v1/jobs/{zipped.response.json()['id']}", api=True).json()
    assert follow["status"] == "done" and follow["file_url"]
    files = zipfile.ZipFile(io.BytesIO(org.get(follow["file_url"], api=True).content)).namelist()
    assert len(files) == 3 and all(name.startswith("GCN-") for name in files)


# --- trainee records and accounts: create, edit, confirm a sign-up, own contact details, sign out ------------------


def _form(i: int, **overrides) -> dict:  # noqa: ANN003
    birth = datetime(1985, 3, 1 + i % 27)
    values = {"full_name": f"Lê Thị Hồ Sơ {i}", "sex": "Nữ", "birth_date": birth.strftime("%d/%m/%Y"),
              "ethnicity": "Kinh", "citizen_id": cccd(birth.date(), "Nữ", 700 + i), "phone": "0912 000 111",
              "position": "Công chức Văn hóa - Xã hội", "organisation_type": "UBND xã/phường/đặc khu",
              "commune": "07432", "province": "Bắc Ninh", "in_charge_of_radio": "on"}
    return {**values, **overrides}


def test_trainee_records_and_accounts_leave_a_trace(trail, db, make_user):
    curricula.sync(db, Principal.system("t"))
    organiser = make_user("organiser", unit="24")
    org = trail.person(organiser.username)
    org_principal = Principal(organiser.id, organiser.username, organiser.full_name, "organiser", organiser.unit_id,
                              None)

    created = org.page("/trainees", action="trainee.create", entity="trainee", data=_form(1))
    trainee_id = int(created.event.entity_id)
    assert created.response.headers["location"] == f"/trainees/{trainee_id}"
    assert created.event.changes["citizen_id"] == "(đã thay đổi)"  # personal data is named, never copied
    edited = org.page("/trainees/{trainee_id}", trainee_id=trainee_id, action="trainee.update", entity="trainee",
                      entity_id=trainee_id, data=_form(1, phone="0912 999 888"))
    assert edited.event.changes == {"phone": "(đã thay đổi)"}
    body = {**{k: v for k, v in _form(1, full_name="Lê Thị Hồ Sơ Mới").items() if k != "in_charge_of_radio"},
            "birth_date": "1985-03-02", "in_charge_of_radio": True}
    renamed = org.api("PUT", "/api/v1/trainees/{trainee_id}", trainee_id=trainee_id, action="trainee.update",
                      entity="trainee", entity_id=trainee_id, json=body)
    assert renamed.response.json()["full_name"] == "Lê Thị Hồ Sơ Mới"
    assert renamed.event.changes["full_name"] == "Lê Thị Hồ Sơ Mới"

    visitor = trail.anonymous()
    signed_up = visitor.page("/signup", action="signup.create", entity="sign_up", status=200, data={
        **_form(2), "password": PASSWORD, "consent": "on"})
    signup_id = int(signed_up.event.entity_id)
    username = signed_up.event.changes["user"]
    confirmed = org.page("/signups/{signup_id}/confirm", signup_id=signup_id, action="signup.confirmed",
                         entity="sign_up", entity_id=signup_id)
    assert confirmed.event.changes == {"status": ["pending", "confirmed"]}
    pending_id = db.scalar(select(Trainee.id).where(Trainee.user_id == db.scalar(
        select(User.id).where(User.username == username))))
    refused_signup = trail.anonymous().page("/signup", action="signup.create", entity="sign_up", status=200, data={
        **_form(3), "password": PASSWORD, "consent": "on"})
    org.page("/signups/{signup_id}/refuse", signup_id=int(refused_signup.event.entity_id), action="signup.refused",
             entity="sign_up", data={"reason": "Không phải cán bộ của xã"})
    # Records that signed up before sign-ups were kept apart still wait as pending trainees.
    old = people_service.create_trainee(db, org_principal, people_service.parse_or_raise(db, {
        **_form(4), "in_charge_of_radio": True}), status="pending")
    old_confirmed = org.page("/trainees/{trainee_id}/confirm", trainee_id=old.id, action="trainee.confirm",
                             entity="trainee", entity_id=old.id)
    assert old_confirmed.event.changes == {"status": ["pending", "active"]}
    older = people_service.create_trainee(db, org_principal, people_service.parse_or_raise(db, {
        **_form(5), "in_charge_of_radio": True}), status="pending")
    org.api("POST", "/api/v1/trainees/{trainee_id}/confirm", trainee_id=older.id, action="trainee.confirm",
            entity="trainee", entity_id=older.id)
    org.page("/account/sessions/end-others", action="auth.end_other_sessions", entity="user")
    invited = org.page("/trainees/{trainee_id}/invitation", trainee_id=old.id, action="invitation.create",
                       entity="trainee", entity_id=old.id, status=200)
    code = re.search(r'id="invitation-code">([A-Z0-9-]+)<', invited.response.text).group(1)
    trail.anonymous().page("/claim", action="invitation.claim", entity="trainee", entity_id=old.id, status=200,
                           data={"code": code, "password": PASSWORD, "confirm_password": PASSWORD})

    official = trail.person(username)
    contact = official.page("/me", action="trainee.update_own_contact", entity="trainee", entity_id=pending_id,
                            data={"phone": "0987 654 321", "email": "ho.so.2@example.vn"})
    assert db.get(Trainee, pending_id, populate_existing=True).email == "ho.so.2@example.vn"
    assert contact.response.headers["location"] == "/me"
    user_id = db.scalar(select(User.id).where(User.username == username))
    # Calendar links are credentials (whoever holds one reads the person's calendar): making one is on the trail too.
    official.page("/calendar/links/reset", action="calendar.create_token", entity="user", entity_id=user_id)
    official.page("/calendar/links/reset", action="calendar.reset_token", entity="user", entity_id=user_id)
    out = official.page("/logout", action="auth.sign_out", entity="user", entity_id=user_id)
    assert out.response.headers["location"] == "/login"
    after = official.client.get("/me", follow_redirects=False)  # signed out: the old cookie opens nothing
    assert after.status_code == 303 and after.headers["location"].startswith("/login")


def test_personal_data_requests_leave_a_trace(trail, db, make_user, course_with_class):  # noqa: F811
    c = course_with_class
    user = make_user("trainee", unit="07432")
    t = add_trainee(db, c["who"], 61, user_id=user.id)
    me, org = trail.person(user.username), trail.person(c["organiser"].username)
    asked = me.page("/me/data-requests", action="privacy.request.correction", entity="trainee", entity_id=t.id,
                    data={"kind": "correction", "message": "Số điện thoại đúng là 0912 111 222"})
    request_id = asked.event.changes["request"]
    handled = org.page("/data-requests/{request_id}", request_id=request_id, action="privacy.request.refused",
                       entity="trainee", entity_id=t.id,
                       data={"outcome": "refused", "response": "Số này đã đúng trong hồ sơ"})
    assert handled.event.changes == {"request": request_id, "kind": "correction"}
