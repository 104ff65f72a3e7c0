"""Issuing bodies through the API and the pages: scoped to the organiser's unit, every change audited, numbers that
cannot collide in a province, a seal checked and kept, courses that pick a body of their unit or a parent, the
register book read back, and two bodies issuing at the same moment from real threads."""
from __future__ import annotations

import io
import threading
from datetime import date

import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.attendance import service as attendance
from app.audit.models import AuditEvent
from app.auth import service as auth
from app.auth.principal import Principal
from app.certificates import service as certificates
from app.certificates.models import Certificate
from app.courses import service as courses
from app.courses import sessions
from app.curricula import service as curricula
from app.db import make_engine, write_session
from app.enrolment import service as enrolment
from app.issuers.models import IssuingBody
from app.ops.migrate import upgrade
from app.places import service as places
from tests.certificates.test_issue import _h
from tests.conftest import fresh_database_url
from tests.courses.factories import add_trainee, open_course, principal
from tests.helpers import sign_in

DEPARTMENT = {"name": "Sở Văn hóa, Thể thao và Du lịch", "parent_name": "UBND TỈNH BẮC NINH",
              "short_code": "SVHTTDL", "signer_title": "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC", "signer_name": "Trần Văn Dấu",
              "number_pattern": "{n}/{year}/GCN-{code}"}


def _png(size: tuple[int, int] = (200, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (200, 20, 20, 255)).save(out, "PNG")
    return out.getvalue()


def test_an_organiser_manages_the_bodies_of_their_unit_and_no_others(client, db, make_user):
    org = make_user("organiser", unit="24")
    h = _h(client, org.username)
    created = client.post("/api/v1/issuing-bodies", headers=h, json=DEPARTMENT)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["unit"] == "24" and body["place_name"] == "Bắc Ninh"  # the province when not given
    assert body["example_number"].endswith("/GCN-SVHTTDL") and body["has_seal"] is False
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "issuing_body.create"))
    assert event.entity_id == str(body["id"]) and event.changes["name"] == DEPARTMENT["name"]

    other = make_user("organiser", unit="01")
    ho = _h(client, other.username)
    assert client.get(f"/api/v1/issuing-bodies/{body['id']}", headers=ho).status_code == 404
    assert client.patch(f"/api/v1/issuing-bodies/{body['id']}", headers=ho, json={"name": "X"}).status_code == 404
    assert client.get("/api/v1/issuing-bodies", headers=ho).json() == []
    assert client.post("/api/v1/issuing-bodies", headers=ho, json={**DEPARTMENT, "unit": "24"}).status_code == 403
    admin = make_user("admin")
    assert [b["id"] for b in client.get("/api/v1/issuing-bodies", headers=_h(client, admin.username)).json()] \
        == [body["id"]]
    trainee = make_user("trainee", unit="07432")
    assert client.get("/api/v1/issuing-bodies", headers=_h(client, trainee.username)).status_code == 403

    changed = client.patch(f"/api/v1/issuing-bodies/{body['id']}", headers=h, json={"signer_name": "Lê Thị Mới"})
    assert changed.status_code == 200 and changed.json()["signer_name"] == "Lê Thị Mới"
    update = db.scalar(select(AuditEvent).where(AuditEvent.action == "issuing_body.update"))
    assert update.changes == {"signer_name": ["Trần Văn Dấu", "Lê Thị Mới"]}


def test_two_bodies_of_one_province_cannot_print_the_same_numbers(client, db, make_user):
    h = _h(client, make_user("organiser", unit="24").username)
    first = client.post("/api/v1/issuing-bodies", headers=h, json={"name": "Sở Văn hóa, Thể thao và Du lịch"})
    assert first.status_code == 201 and first.json()["number_pattern"] == "{n}/{year}/GCN"
    commune = make_user("organiser", unit="07432")  # a commune of the same province
    second = client.post("/api/v1/issuing-bodies", headers=_h(client, commune.username),
                         json={"name": "UBND xã Tân Dĩnh", "number_pattern": "{n:03d}/{year}/GCN"})
    assert second.status_code == 422, second.text
    assert second.json()["code"] == "number_clash" and second.json()["field"] == "number_pattern"
    assert "Sở Văn hóa" in second.json()["detail"]
    bad = client.post("/api/v1/issuing-bodies", headers=h, json={"name": "Trung tâm", "number_pattern": "{year}/X"})
    assert bad.status_code == 422 and bad.json()["code"] == "pattern_needs_n"
    no_code = client.post("/api/v1/issuing-bodies", headers=h,
                          json={"name": "Trung tâm", "number_pattern": "{n}/{year}/GCN-{code}"})
    assert no_code.status_code == 422 and no_code.json()["field"] == "short_code"
    assert db.scalar(select(func.count()).select_from(IssuingBody)) == 1  # nothing was written
    ok = client.post("/api/v1/issuing-bodies", headers=_h(client, commune.username),
                     json={"name": "UBND xã Tân Dĩnh", "short_code": "UBND-TD",
                           "number_pattern": "{n}/{year}/GCN-{code}"})
    assert ok.status_code == 201 and ok.json()["unit"] == "07432"
    clash = client.patch(f"/api/v1/issuing-bodies/{ok.json()['id']}", headers=h,
                         json={"number_pattern": "{n}/{year}/GCN"})
    assert clash.status_code == 422 and clash.json()["code"] == "number_clash"
    assert db.get(IssuingBody, ok.json()["id"], populate_existing=True).number_pattern == "{n}/{year}/GCN-{code}"


def test_the_seal_is_checked_kept_as_a_png_and_removable(client, db, make_user):
    h = _h(client, make_user("organiser", unit="24").username)
    body_id = client.post("/api/v1/issuing-bodies", headers=h, json=DEPARTMENT).json()["id"]
    url = f"/api/v1/issuing-bodies/{body_id}/seal"
    refused = client.put(url, headers=h, files={"file": ("dau.png", b"<svg onload=alert(1)>", "image/png")})
    assert refused.status_code == 422 and refused.json()["code"] == "seal_type"
    broken = client.put(url, headers=h, files={"file": ("dau.png", b"\x89PNG\r\n\x1a\n" + b"0" * 300, "image/png")})
    assert broken.status_code == 422 and broken.json()["code"] == "seal_unreadable"
    tiny = client.put(url, headers=h, files={"file": ("dau.png", _png((10, 10)), "image/png")})
    assert tiny.status_code == 422 and tiny.json()["code"] == "seal_size"
    huge = client.put(url, headers=h, files={"file": ("dau.png", b"\x89PNG\r\n\x1a\n" + b"0" * 2_200_000,
                                                      "image/png")})
    assert huge.status_code == 422 and huge.json()["code"] == "seal_too_large"
    assert db.get(IssuingBody, body_id).seal_image is None
    jpeg = io.BytesIO()
    Image.new("RGB", (500, 400), "white").save(jpeg, "JPEG")
    ok = client.put(url, headers=h, files={"file": ("dau.jpg", jpeg.getvalue(), "image/jpeg")})
    assert ok.status_code == 200 and ok.json()["has_seal"] is True
    stored = client.get(ok.json()["seal_url"], headers=h)
    assert stored.headers["content-type"] == "image/png" and stored.content.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(stored.content)).mode == "RGBA"
    preview = client.get(f"/api/v1/issuing-bodies/{body_id}/preview.pdf", headers=h)
    text = PdfReader(io.BytesIO(preview.content)).pages[0].extract_text()
    assert "UBND TỈNH BẮC NINH" in text and "Trần Văn Dấu" in text
    removed = client.delete(url, headers=h)
    assert removed.status_code == 200 and removed.json()["has_seal"] is False
    assert [e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "issuing_body")
                                         .order_by(AuditEvent.id))] == [
        "issuing_body.create", "issuing_body.seal", "issuing_body.seal"]


def test_a_course_picks_a_body_of_its_unit_or_a_parent(client, db, make_user, course_with_class):
    course, org = course_with_class["course"], course_with_class["organiser"]
    h = _h(client, org.username)
    body = client.post("/api/v1/issuing-bodies", headers=h, json=DEPARTMENT).json()
    elsewhere = client.post("/api/v1/issuing-bodies", headers=_h(client, make_user("admin").username),
                            json={"name": "Sở Văn hóa, Thể thao và Du lịch Hà Nội", "unit": "01"}).json()
    refused = client.patch(f"/api/v1/courses/{course.id}", headers=h, json={"issuing_body_id": elsewhere["id"]})
    assert refused.status_code == 422 and refused.json()["field"] == "issuing_body_id"
    picked = client.patch(f"/api/v1/courses/{course.id}", headers=h, json={"issuing_body_id": body["id"]})
    assert picked.status_code == 200, picked.text
    plan = picked.json()
    assert plan["issuing_body"] == {"id": body["id"], "name": DEPARTMENT["name"], "parent_name": "UBND TỈNH BẮC NINH"}
    assert plan["organising_body"] == DEPARTMENT["name"]  # the contract's field follows the body
    assert (plan["signer_title"], plan["signer_name"]) == ("KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC", "Trần Văn Dấu")
    assert plan["hours"] == 7.5 and plan["hours_override"] is None
    own = client.patch(f"/api/v1/courses/{course.id}", headers=h, json={"signer_name": "Phó Giám đốc Khác",
                                                                         "hours_override": 6})
    assert (own.json()["signer_name"], own.json()["hours"]) == ("Phó Giám đốc Khác", 6)
    # A script that only names the organiser (as before bodies were records) gets the body of that name.
    named = client.patch(f"/api/v1/courses/{course.id}", headers=h,
                         json={"organising_body": "sở văn hóa, thể thao và du lịch"})
    assert named.json()["issuing_body_id"] == body["id"]
    new = client.patch(f"/api/v1/courses/{course.id}", headers=h, json={"organising_body": "Trung tâm Chính trị"})
    made = db.get(IssuingBody, new.json()["issuing_body_id"])
    assert made.name == "Trung tâm Chính trị" and made.unit_id == course.unit_id


def _finish(db: Session, who: Principal, course_id: int, people: list[int]) -> None:
    course = courses.get_course(db, who, course_id)
    sessions.add_session(db, who, course.id, sessions.SessionInput(
        session_date=course.start_date, part_of_day="morning", start_time=None, end_time=None,
        module_ids=[course.modules[0].id], lecturer_id=None, room=None, online_link=None))
    es = [enrolment.register(db, who, course.id, add_trainee(db, who, i).id) for i in people]
    s = courses.get_course(db, who, course.id).sessions[0]
    attendance.record_marks(db, who, course.id, [{"session_id": s.id, "enrolment_id": e.id, "status": "present"}
                                                 for e in es])
    attendance.record_results(db, who, course.id)
    db.get(type(course), course.id).status = "finished"
    db.flush()


def test_two_bodies_in_one_province_issuing_at_the_same_moment_get_their_own_series(backend):
    """Real threads, each with its own connection and transaction: the department and a commune office of Bắc
    Ninh issue for their courses at once; each body's numbers run 1..12, and no printed number repeats."""
    url = fresh_database_url(backend)
    upgrade("head", url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as db:
        curricula.sync(db, Principal.system("t"))
        org = auth.create_user(db, Principal.system("t"), username=f"org-{backend}-bodies", password="Mat-khau-2026",
                               role="organiser", unit=places.get_by_key(db, "24"))
        who = principal(org)
        from app.issuers import service as issuers
        bodies = [issuers.create_body(db, who, {**DEPARTMENT}),
                  issuers.create_body(db, who, {"name": "UBND xã Tân Dĩnh", "short_code": "UBNDTD",
                                                "signer_title": "CHỦ TỊCH", "signer_name": "Hà Văn Xã",
                                                "number_pattern": "{n}/{year}/GCN-{code}"}, "07432")]
        ids = []
        for k, body in enumerate(bodies):
            course = open_course(db, who, capacity=30, title=f"Lớp {k}")
            course.unit_id = body.unit_id  # the commune office signs for a course its commune organises
            db.flush()
            courses.update_course(db, who, course.id, {"issuing_body_id": body.id})
            _finish(db, who, course.id, [100 * k + i + 2000 for i in range(12)])
            ids.append(course.id)
        db.commit()
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run(course_id: int) -> None:
        try:
            with write_session(engine) as db:
                barrier.wait(timeout=10)
                certificates.issue(db, who, course_id)
                db.commit()
        except BaseException as err:  # noqa: BLE001
            errors.append(err)

    threads = [threading.Thread(target=run, args=(cid,)) for cid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Session(engine) as db:
        rows = db.execute(select(Certificate.issuing_body_id, Certificate.sequence, Certificate.register_entry,
                                 Certificate.number).where(Certificate.course_id.in_(ids))).all()
        assert len(rows) == 24
        for body in bodies:
            mine = [r for r in rows if r[0] == body.id]
            assert sorted(r[1] for r in mine) == list(range(1, 13))
            assert sorted(r[2] for r in mine) == list(range(1, 13))
        assert len({r[3] for r in rows}) == 24  # never the same printed number twice in the province
    engine.dispose()


def test_the_register_book_reads_back_as_pdf_and_xlsx(client, db, finished):
    course = finished["course"]
    h = _h(client, finished["organiser"].username)
    issued = client.post(f"/api/v1/courses/{course.id}/certificates", headers=h, json={}).json()["issued"]
    client.post(f"/api/v1/certificates/{issued[0]['id']}/revoke", headers=h,
                json={"reason": "Sai ngày sinh", "reissue": True})
    c = db.get(Certificate, issued[0]["id"])
    body_id, year = c.issuing_body_id, c.year
    pdf = client.get(f"/api/v1/issuing-bodies/{body_id}/register/{year}.pdf", headers=h)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    text = " ".join(page.extract_text().split())
    assert f"SỔ CẤP GIẤY CHỨNG NHẬN NĂM {year}" in text and "Người nhận ký" in text
    assert "Đặng Thị Ngọc Ánh" in text and course.title in text and "Đã thu hồi" in text
    for i in issued:
        assert i["number"] in text
    xlsx = client.get(f"/api/v1/issuing-bodies/{body_id}/register/{year}.xlsx", headers=h)
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    header = [cell.value for cell in ws[6]]
    assert header[:8] == ["Số vào sổ", "Số giấy chứng nhận", "Họ và tên", "Ngày sinh", "Khoá học", "Thời gian học",
                          "Ngày cấp", "Người nhận ký, ghi rõ họ tên"]
    lines = [[cell.value for cell in r] for r in ws.iter_rows(min_row=7) if r[0].value is not None]
    assert [r[0] for r in lines] == [1, 2, 3, 4]  # four entries: three issued, one reissued
    assert lines[0][1] == issued[0]["number"] and lines[0][7] is None  # room for the signature
    assert lines[0][8].startswith("Đã thu hồi") and lines[3][8] == "Cấp lại"
    holder = next(r for r in lines if r[2] == "Đặng Thị Ngọc Ánh")
    born = finished["holder"].birth_date
    assert holder[3] == f"{born:%d/%m/%Y}" and holder[4] == course.title
    exports = db.scalars(select(AuditEvent).where(AuditEvent.action == "issuing_body.register_export")).all()
    assert [e.changes["format"] for e in exports] == ["pdf", "xlsx"]
    empty = client.get(f"/api/v1/issuing-bodies/{body_id}/register/2001.pdf", headers=h)
    assert "Chưa có giấy chứng nhận" in PdfReader(io.BytesIO(empty.content)).pages[0].extract_text()


def test_the_pages_create_refuse_edit_upload_and_show_the_book(client, db, make_user, finished):
    org = finished["organiser"]
    assert sign_in(client, org.username).status_code == 303
    csrf = client.cookies.get("nangluc_csrf")
    form = {**DEPARTMENT, "active": "on", "csrf_token": csrf, "unit": "24", "place_name": ""}
    made = client.post("/issuing-bodies", data=form, follow_redirects=False)
    assert made.status_code == 303, made.text
    body_id = int(made.headers["location"].rsplit("/", 1)[1])
    clash = client.post("/issuing-bodies", data={**form, "name": "Trung tâm khác"})
    assert clash.status_code == 422 and "in trùng số" in clash.text and 'aria-invalid="true"' in clash.text
    bad = client.post(f"/issuing-bodies/{body_id}", data={**form, "number_pattern": "{year}"})
    assert bad.status_code == 422 and "đúng một {n}" in bad.text
    assert db.get(IssuingBody, body_id, populate_existing=True).number_pattern == DEPARTMENT["number_pattern"]
    ok = client.post(f"/issuing-bodies/{body_id}", data={**form, "signer_name": "Ngô Thị Ký"},
                     follow_redirects=False)
    assert ok.status_code == 303 and db.get(IssuingBody, body_id, populate_existing=True).signer_name == "Ngô Thị Ký"
    upload = client.post(f"/issuing-bodies/{body_id}/seal", data={"csrf_token": csrf},
                         files={"seal": ("dau.png", _png(), "image/png")}, follow_redirects=False)
    assert upload.status_code == 303
    wrong = client.post(f"/issuing-bodies/{body_id}/seal", data={"csrf_token": csrf},
                        files={"seal": ("dau.gif", b"GIF89a" + b"0" * 200, "image/gif")})
    assert wrong.status_code == 422 and "PNG hoặc JPEG" in wrong.text
    assert client.post(f"/issuing-bodies/{body_id}/seal/delete", data={"csrf_token": csrf},
                       follow_redirects=False).status_code == 303
    listing = client.get("/issuing-bodies")
    assert DEPARTMENT["name"] in listing.text and f"1/{date.today().year}/GCN-SVHTTDL" in listing.text
    edit = client.get(f"/courses/{finished['course'].id}/edit")
    assert f'<option value="{body_id}"' in edit.text
    picked = client.post(f"/courses/{finished['course'].id}/edit", data={
        "csrf_token": csrf, "title": finished["course"].title, "issuing_body_id": str(body_id), "form": "in_person",
        "hours_override": "4,5", "places": "24", "min_attendance_percent": "80"}, follow_redirects=False)
    assert picked.status_code == 303, picked.text
    detail = client.get(f"/courses/{finished['course'].id}")
    assert "UBND TỈNH BẮC NINH" in detail.text and "4,5" in detail.text
    client.post(f"/courses/{finished['course'].id}/certificates", data={"csrf_token": csrf})
    tab = client.get(f"/courses/{finished['course'].id}/certificates")
    assert f'href="/issuing-bodies/{body_id}/register"' in tab.text
    book = client.get(f"/issuing-bodies/{body_id}/register")
    assert book.status_code == 200 and "Đặng Thị Ngọc Ánh" in book.text
    for fmt in ("pdf", "xlsx"):
        assert client.get(f"/issuing-bodies/{body_id}/register/{date.today().year}.{fmt}").status_code == 200
    assert client.get(f"/issuing-bodies/{body_id}/preview.pdf").content.startswith(b"%PDF")


@pytest.mark.parametrize("path", ["/issuing-bodies", "/issuing-bodies/new"])
def test_trainees_cannot_open_the_pages(client, make_user, path):
    trainee = make_user("trainee", unit="07432")
    sign_in(client, trainee.username)
    assert client.get(path).status_code == 403


def test_a_former_body_keeps_its_place_and_is_numbered_apart_in_todays_province(client, db, make_user):
    """The former Bắc Giang department (now within Bắc Ninh): managed by Bắc Ninh's organisers, its date line says
    Bắc Giang, and its numbers may not look like today's department's."""
    h = _h(client, make_user("organiser", unit="24").username)
    today = client.post("/api/v1/issuing-bodies", headers=h, json={"name": "Sở Văn hóa, Thể thao và Du lịch"})
    former = client.post("/api/v1/issuing-bodies", headers=h, json={
        "name": "Sở Thông tin và Truyền thông tỉnh Bắc Giang", "unit": "old:24", "active": False})
    assert former.status_code == 422 and former.json()["code"] == "number_clash"
    former = client.post("/api/v1/issuing-bodies", headers=h, json={
        "name": "Sở Thông tin và Truyền thông tỉnh Bắc Giang", "unit": "old:24", "active": False,
        "short_code": "STTTT-BG", "number_pattern": "{n}/{year}/GCN-{code}"})
    assert former.status_code == 201, former.text
    assert former.json()["place_name"] == "Bắc Giang" and today.json()["place_name"] == "Bắc Ninh"
    listed = client.get("/api/v1/issuing-bodies?active=false", headers=h).json()
    assert [b["name"] for b in listed] == ["Sở Thông tin và Truyền thông tỉnh Bắc Giang"]
    kept = client.patch(f"/api/v1/issuing-bodies/{former.json()['id']}", headers=h, json={"active": None})
    assert kept.json()["active"] is False  # null changes nothing
