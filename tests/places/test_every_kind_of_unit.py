"""Every route that shows or accepts a person, a course place or an organiser works for every kind of unit.

A world with one of each kind — today's province (24 Bắc Ninh) and commune (07432 Xã Tân Dĩnh), and from before
1 July 2025 the province (old:24 Tỉnh Bắc Giang), district (old:217 Huyện Lạng Giang) and commune (old:07435 Xã Đại
Lâm) — is walked through EVERY GET route of the app, path parameters filled from the world, as the admin, as an
organiser of each kind of unit and as the trainee of the former commune. No answer may be a 500. A new GET route
is walked without anyone adding it here; one whose parameters this world cannot fill must be listed with a reason.
Then the writes that take a unit: a trainee at "old:07435" (API and page), course places ["old:07435"], a course
organised by a former district.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.attendance import service as attendance
from app.auth.principal import Principal
from app.certificates import service as certificates
from app.courses import service as courses
from app.courses import sessions
from app.curricula import service as curricula
from app.db import utcnow
from app.enrolment import service as enrolment
from app.media import rules as media_rules
from app.media import service as media
from tests.courses.factories import add_trainee, principal
from tests.helpers import api_token, sign_in

KINDS = {"current province": "24", "current commune": "07432", "former province": "old:24",
         "former district": "old:217", "former commune": "old:07435"}

# GET routes whose parameters this world does not fill, each with the reason it needs no walk here.
NOT_WALKED = {
    "/api/v1/jobs/{job_id}", "/api/v1/jobs/{job_id}/file", "/jobs/{job_id}", "/jobs/{job_id}/file",  # a job's
    # state and file (the certificates' zip of a course is walked through its synchronous route)
    "/api/v1/materials/{material_id}", "/api/v1/materials/{material_id}/download",
    "/api/v1/materials/{material_id}/versions/{number}/download", "/materials/{material_id}",
    "/materials/{material_id}/download", "/materials/{material_id}/versions/{number}/download",  # files: no unit
    "/ical/{token}/course-{course_id}.ics", "/ical/{token}/teaching.ics", "/ical/{token}/my-courses.ics",  # times
    "/check-in/{code}",  # a rotating signed code; the check-in page of each session is walked
    # Issuing bodies, their keys and register books: tests/issuers walks a former Bắc Giang body's pages and book.
    "/api/v1/issuing-bodies/{body_id}", "/api/v1/issuing-bodies/{body_id}/seal.png",
    "/api/v1/issuing-bodies/{body_id}/preview.pdf", "/api/v1/issuing-bodies/{body_id}/register/{year}.pdf",
    "/api/v1/issuing-bodies/{body_id}/register/{year}.xlsx", "/issuing-bodies/{body_id}",
    "/issuing-bodies/{body_id}/seal.png", "/issuing-bodies/{body_id}/preview.pdf", "/issuing-bodies/{body_id}/register",
    "/issuing-bodies/{body_id}/register/{year}.pdf", "/issuing-bodies/{body_id}/register/{year}.xlsx",
    "/api/v1/issuers/{body_id}/signing-keys", "/issuers/{body_id}/signing",  # keys: no place shown
    # Generated papers and templates (tests/paperwork); a document made for a former unit's course is not walked yet.
    "/api/v1/documents/{document_id}", "/api/v1/documents/{document_id}/file.{fmt}",
    "/api/v1/document-templates/{kind}.docx", "/documents/{document_id}.{fmt}", "/document-templates/{kind}.docx",
    "/my-summons/{document_id}",
    # Questions, attempts and paper-score sheets show no place (tests/assessment).
    "/api/v1/question-banks/{bank_id}", "/question-banks/{bank_id}", "/api/v1/attempts/{attempt_id}",
    "/attempts/{attempt_id}", "/api/v1/tests/{test_id}/paper-template.xlsx", "/tests/{test_id}/paper-template.xlsx",
    # Submitted reports are stored figures and files; their scope's live report is walked under /reports.
    "/api/v1/reports/submissions/{submission_id}", "/api/v1/reports/submissions/{submission_id}/report.{fmt}",
    "/reports/submissions/{submission_id}", "/reports/submissions/{submission_id}/report.{fmt}",
}


@dataclass
class World:
    ids: dict[str, list] = field(default_factory=dict)
    admin: str = ""
    organisers: dict[str, str] = field(default_factory=dict)  # kind -> username
    trainee_user: str = ""
    former_trainee_id: int = 0
    course_id: int = 0


def _marks_for(db, who, course_id, enrolment_ids) -> None:  # noqa: ANN001
    course = courses.get_course(db, who, course_id)
    attendance.record_marks(db, who, course_id, [{"session_id": s.id, "enrolment_id": e, "status": "present"}
                                                 for s in course.sessions for e in enrolment_ids])


@pytest.fixture
def world(db: Session, make_user) -> World:
    """A finished course organised by a former district for officials of every kind of place, with an official
    of today's commune and one of the former commune, both certified; a draft course organised by each kind of
    unit; a media product at each; an organiser at each."""
    curricula.sync(db, Principal.system("t"))
    w = World()
    admin = make_user("admin")
    w.admin = admin.username
    who = principal(admin)
    organisers = [make_user("organiser", unit=key) for key in KINDS.values()]
    w.organisers = {kind: u.username for kind, u in zip(KINDS, organisers, strict=True)}
    course = courses.create_course(db, who, curriculum_code="CT2", title="Lớp huyện Lạng Giang 2026",
                                   unit_key="old:217")
    start = utcnow().date() + timedelta(days=20)
    courses.update_course(db, who, course.id, {
        "capacity": 10, "start_date": start, "end_date": start, "registration_opens": utcnow().date(),
        "registration_closes": start, "venue": "Hội trường huyện", "organising_body": "Phòng Văn hóa huyện",
        "signer_title": "TRƯỞNG PHÒNG", "signer_name": "Nguyễn Văn Ký"})
    courses.set_places(db, who, course.id, list(KINDS.values()))
    for part in ("morning", "afternoon"):
        sessions.add_session(db, who, course.id, sessions.SessionInput(
            session_date=start, part_of_day=part, start_time=None, end_time=None,
            module_ids=[courses.get_course(db, who, course.id).modules[0].id], lecturer_id=None, room="P1",
            online_link=None))
    course.status = "open"
    db.flush()
    trainee_user = make_user("trainee", unit="old:07435")
    w.trainee_user = trainee_user.username
    today_official = add_trainee(db, who, 1)
    former_official = add_trainee(db, who, 2, user_id=trainee_user.id,
                                  **{"Xã/phường": "old:07435", "Tỉnh/thành phố": "", "Họ và tên": "Lê Thị Đại Lâm"})
    w.former_trainee_id = former_official.id
    es = [enrolment.register(db, who, course.id, t.id) for t in (today_official, former_official)]
    _marks_for(db, who, course.id, [e.id for e in es])
    attendance.record_results(db, who, course.id)
    course.status = "finished"
    db.flush()
    issued = certificates.issue(db, who, course.id).issued
    assert len(issued) == 2
    drafts = [courses.create_course(db, who, curriculum_code="CT3", title=f"Lớp của {kind}", unit_key=key)
              for kind, key in KINDS.items()]
    for d in drafts:
        courses.set_places(db, who, d.id, [d.unit.key])
    products = [media.create_media(db, who, media_rules.MediaIn(
        kind="news_article", title=f"Tin ở {key}", producer_kind="commune_radio", producer_name="Đài xã",
        produced_on=utcnow().date(), channel="commune_radio", topics=("exemplary_people",)), key)
        for key in KINDS.values()]
    s = courses.get_course(db, who, course.id).sessions
    w.course_id = course.id
    w.ids.update({
        "course_id": [course.id, *(d.id for d in drafts)], "trainee_id": [today_official.id, former_official.id],
        "session_id": [x.id for x in s], "enrolment_id": [e.id for e in es], "certificate_id": [c.id for c in issued],
        "media_id": [m.id for m in products], "key": list(KINDS.values()), "request_id": [],
        "verify_code": [c.code for c in issued], "code": ["CT2", "CT3"], "user_id": [u.id for u in organisers]})
    db.flush()
    return w


def _fill(path: str, ids: dict[str, list], main_course: int) -> list[str]:
    names = re.findall(r"{(\w+)}", path)
    if not names:
        return [path]
    if len(names) > 1:  # a session, an enrolment… belongs to the course with every kind of place
        ids = {**ids, "course_id": [main_course]}
    if path.startswith("/verify/"):
        return [path.replace("{code}", c) for c in ids["verify_code"]]
    urls = [path]
    for name in names:
        values = ids.get(name)
        if values is None:
            return []
        urls = [u.replace("{" + name + "}", str(v)) for u in urls for v in values]
    return urls


def _get_routes(app) -> list[str]:  # noqa: ANN001
    out = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and "GET" in context.methods:
            out.append(context.path)
    return out


def _client(app, username: str) -> tuple[TestClient, dict]:  # noqa: ANN001
    c = TestClient(app, base_url="http://testserver", raise_server_exceptions=False)
    assert sign_in(c, username).status_code == 303
    return c, {"Authorization": f"Bearer {api_token(c, username)}"}


def test_every_get_route_answers_for_every_kind_of_unit(app, db, world):
    routes = _get_routes(app)
    failures, walked, unfilled = [], set(), []
    people = [("admin", world.admin)] + [(f"organiser of {k}", u) for k, u in world.organisers.items()] + [
        ("trainee of the former commune", world.trainee_user)]
    for n, (who, username) in enumerate(people):
        client, bearer = _client(app, username)
        # The admin walks every record; the others what their own unit changes: the lists, their dashboard and
        # reports, and one of each record (the course with every kind of place, the former commune's official).
        ids = world.ids if n == 0 else {**{k: v[-1:] for k, v in world.ids.items()},
                                        "course_id": [world.course_id]}
        with client:
            for path in routes:
                if path in NOT_WALKED or path in ("/docs", "/openapi.json"):
                    continue
                urls = _fill(path, ids, world.course_id)
                if not urls:
                    unfilled.append(path)
                    continue
                walked.add(path)
                for url in urls:
                    r = client.get(url, headers=bearer if url.startswith("/api/") else None)
                    if r.status_code >= 500:
                        failures.append(f"{who}: GET {url} → {r.status_code}")
    assert not failures, "\n".join(failures)
    assert not set(unfilled), f"GET routes this walk cannot fill: list them in NOT_WALKED with a reason: {unfilled}"
    assert {"/api/v1/trainees", "/trainees/{trainee_id}", "/api/v1/courses/{course_id}", "/dashboard",
            "/courses/{course_id}/certificates.pdf"} <= walked


def test_former_names_are_shown_and_certificates_keep_them(app, db, world):
    client, bearer = _client(app, world.admin)
    with client:
        listed = client.get("/api/v1/trainees", headers=bearer).json()["items"]
        former = next(t for t in listed if t["id"] == world.former_trainee_id)
        assert former["unit"] == "old:07435"
        assert former["unit_name"] == "Xã Đại Lâm, Huyện Lạng Giang, Tỉnh Bắc Giang"
        page = client.get(f"/trainees/{world.former_trainee_id}").text
        assert "Xã Đại Lâm, Huyện Lạng Giang, Tỉnh Bắc Giang" in page
        course = client.get(f"/api/v1/courses/{world.course_id}", headers=bearer).json()
        assert {p["key"]: p["name"] for p in course["places"]}["old:217"] == "Huyện Lạng Giang, Tỉnh Bắc Giang"
        assert course["unit"] == "old:217"
        from io import BytesIO

        from pypdf import PdfReader
        pdf = client.get(f"/courses/{world.course_id}/certificates.pdf")
        text = " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
        assert "Đại Lâm" in text


def test_units_of_every_kind_are_accepted_where_a_unit_is_typed(app, db, world):
    client, bearer = _client(app, world.admin)
    with client:
        created = client.post("/api/v1/trainees", headers=bearer, json={
            "full_name": "Phạm Văn Cũ", "sex": "Nam", "birth_date": "1985-04-02", "ethnicity": "Kinh",
            "citizen_id": "024085000777", "position": "Công chức Văn hóa - Xã hội",
            "organisation_type": "UBND xã/phường/đặc khu", "commune": "old:07435", "in_charge_of_radio": True})
        assert created.status_code == 201, created.text
        assert created.json()["unit_name"] == "Xã Đại Lâm, Huyện Lạng Giang, Tỉnh Bắc Giang"
        for key in KINDS.values():
            patched = client.patch(f"/api/v1/courses/{world.course_id}", headers=bearer, json={"places": [key]})
            assert patched.status_code == 200, (key, patched.text)
            assert [p["key"] for p in patched.json()["places"]] == [key]
        moved = client.put(f"/api/v1/trainees/{created.json()['id']}", headers=bearer, json={
            **{k: created.json()[k] for k in ("full_name", "sex", "ethnicity", "position", "organisation_type",
                                                "in_charge_of_radio")}, "birth_date": "1985-04-02",
            "citizen_id": "024085000777", "commune": "old:07438"})
        assert moved.status_code == 200, moved.text
        assert moved.json()["unit_name"] == "Xã Thái Đào, Huyện Lạng Giang, Tỉnh Bắc Giang"
        edited = client.post(f"/courses/{world.course_id}/edit", data={
            "csrf_token": client.cookies.get("nangluc_csrf"), "title": "Lớp huyện Lạng Giang 2026",
            "form": "in_person", "places": "old:07435, old:217, 24"}, follow_redirects=True)
        assert edited.status_code == 200 and "Xã Đại Lâm" in edited.text, edited.text[:300]
        organised = client.post("/api/v1/courses", headers=bearer, json={
            "curriculum": "CT2", "title": "Lớp của xã cũ", "unit": "old:07435"})
        assert organised.status_code == 201, organised.text
        assert organised.json()["unit"] == "old:07435"
        form = client.get("/trainees/new")
        assert form.status_code == 200
        posted = client.post("/trainees", data={
            "csrf_token": client.cookies.get("nangluc_csrf"), "full_name": "Vũ Thị Trang", "sex": "Nữ",
            "birth_date": "03/05/1990", "ethnicity": "Kinh", "citizen_id": "024190000888",
            "position": "Công chức Văn hóa - Xã hội", "organisation_type": "UBND xã/phường/đặc khu",
            "commune": "old:07435", "province": ""}, follow_redirects=True)
        assert posted.status_code == 200, posted.text[:500]
        assert "Xã Đại Lâm, Huyện Lạng Giang, Tỉnh Bắc Giang" in posted.text
