"""Issuing certificates: only to those who completed, idempotent, numbered uniquely under concurrency; the PDF as
issued; verify valid, revoked, unknown; revoke and reissue; who may download what."""
from __future__ import annotations

import hashlib
import io
import threading
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.attendance import service as attendance
from app.auth import service as auth
from app.auth.principal import Principal
from app.certificates import service
from app.certificates.models import Certificate
from app.courses import service as courses
from app.courses import sessions
from app.curricula import service as curricula
from app.db import make_engine, write_session
from app.enrolment import service as enrolment
from app.enrolment.models import Enrolment
from app.ops.migrate import upgrade
from app.places import service as places
from tests.conftest import fresh_database_url
from tests.courses.factories import add_trainee, open_course, principal
from tests.helpers import api_token


@pytest.fixture
def finished(db, make_user, course_with_class):
    """The class with signer data; the first two attended both sessions, the third none; results recorded."""
    c = course_with_class
    course = c["course"]
    courses.update_course(db, c["who"], course.id, {"organising_body": "Sở Văn hóa, Thể thao và Du lịch tỉnh Bắc Ninh",
                                                     "signer_title": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
                                                     "signer_name": "Nguyễn Văn Ký"})
    user = make_user("trainee", unit="07432")
    holder = add_trainee(db, c["who"], 30, user_id=user.id, **{"Họ và tên": "Đặng Thị Ngọc Ánh"})
    e_holder = enrolment.register(db, c["who"], course.id, holder.id)
    attending = (c["enrolments"][0], c["enrolments"][1], e_holder)
    attendance.record_marks(db, c["who"], course.id, [
        {"session_id": s.id, "enrolment_id": e.id, "status": "present"}
        for s in courses.get_course(db, c["who"], course.id).sessions for e in attending])
    attendance.record_results(db, c["who"], course.id)
    course.status = "finished"  # the course has run (its life cycle is tested with the courses)
    db.flush()
    return {**c, "holder_user": user, "holder": holder, "holder_enrolment": e_holder}


def _h(client, username: str) -> dict:  # noqa: ANN001
    return {"Authorization": f"Bearer {api_token(client, username)}"}


def _issue(client, finished) -> list[dict]:  # noqa: ANN001
    r = client.post(f"/api/v1/courses/{finished['course'].id}/certificates",
                    headers=_h(client, finished["organiser"].username), json={})
    assert r.status_code == 200, r.text
    return r.json()["issued"]


def test_issue_to_completed_only_and_never_twice(client, db, finished):
    course = finished["course"]
    h = _h(client, finished["organiser"].username)
    course.status = "running"
    db.flush()
    early = client.post(f"/api/v1/courses/{course.id}/certificates", headers=h, json={})
    assert early.status_code == 409 and early.json()["code"] == "course_not_finished"
    course.status = "finished"
    db.flush()
    first = client.post(f"/api/v1/courses/{course.id}/certificates", headers=h, json={})
    assert first.status_code == 200, first.text
    body = first.json()
    assert len(body["issued"]) == 3
    assert {s["reason"] for s in body["skipped"]} == {
        "Chỉ cấp cho người đã hoàn thành khoá học (hãy chốt kết quả hoàn thành trước)."}
    numbers = [c["number"] for c in body["issued"]]
    year = body["issued"][0]["issued_at"][:4]
    assert numbers == [f"{n}/{year}/GCN" for n in range(1, 4)]
    assert all(len(c["code"]) >= 16 for c in body["issued"])  # >= 80 bits in base32
    again = client.post(f"/api/v1/courses/{course.id}/certificates", headers=h, json={}).json()
    assert again["issued"] == [] and len(again["skipped"]) == 4
    assert db.scalar(select(func.count()).select_from(Certificate)) == 3


def test_the_pdf_as_issued_reads_back_with_the_exact_name_and_is_the_one_hashed(client, db, finished):
    issued = _issue(client, finished)
    mine = next(c for c in issued if c["full_name"] == "Đặng Thị Ngọc Ánh")
    pdf = client.get(f"/api/v1/certificates/{mine['id']}.pdf", headers=_h(client, finished["holder_user"].username))
    assert pdf.status_code == 200
    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "Đặng Thị Ngọc Ánh".upper() in text.upper() and mine["number"] in text
    c = db.get(Certificate, mine["id"])
    assert hashlib.sha256(pdf.content).hexdigest() == c.pdf_sha256


def test_a_trainee_cannot_download_someone_elses_certificate(client, db, finished, make_user):
    issued = _issue(client, finished)
    other = next(c for c in issued if c["full_name"] != "Đặng Thị Ngọc Ánh")
    stranger = make_user("trainee", unit="07432")
    assert client.get(f"/api/v1/certificates/{other['id']}.pdf",
                      headers=_h(client, finished["holder_user"].username)).status_code == 404
    url = f"/api/v1/certificates/{other['id']}.pdf"
    assert client.get(url, headers=_h(client, stranger.username)).status_code == 404
    outsider = make_user("organiser", unit="01")
    assert client.get(url, headers=_h(client, outsider.username)).status_code == 404


def test_verify_valid_revoked_replaced_and_unknown(client, db, finished):
    course = finished["course"]
    h = _h(client, finished["organiser"].username)
    issued = client.post(f"/api/v1/courses/{course.id}/certificates", headers=h, json={}).json()["issued"]
    c = issued[0]
    ok = client.get(f"/verify/{c['code']}", headers={"Accept": "application/json"})
    assert ok.status_code == 200
    view = ok.json()
    assert view["genuine"] and view["status"] == "valid" and view["full_name"] == c["full_name"]
    assert "citizen_id" not in view and "birth_date" not in view  # nothing else personal
    page = client.get(f"/verify/{c['code']}")
    assert "Giấy chứng nhận thật, còn hiệu lực." in page.text
    unknown = client.get("/verify/ABCDEFGHIJKLMNOPQRSTU", headers={"Accept": "application/json"})
    assert unknown.status_code == 404 and unknown.json()["genuine"] is False
    assert client.get("/verify/x").status_code == 404
    refused = client.post(f"/api/v1/certificates/{c['id']}/revoke", headers=h, json={"reason": "x"})
    assert refused.status_code == 422
    revoked = client.post(f"/api/v1/certificates/{c['id']}/revoke", headers=h,
                          json={"reason": "Sai ngày sinh trong hồ sơ (bà Ánh báo 1990, không phải 1991)",
                                "category": "data_error", "public_note": "Đã cấp lại giấy đúng.", "reissue": True})
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked"]["revoke_reason"].startswith("Sai ngày sinh")  # staff see the internal note
    new = revoked.json()["reissued"]
    assert new["number"] == "4/" + c["number"].split("/", 1)[1] and new["code"] != c["code"]
    old_view = client.get(f"/verify/{c['code']}", headers={"Accept": "application/json"}).json()
    # The public sees the chosen category and the public text; the internal note stays internal.
    assert old_view["status"] == "revoked" and old_view["revoke_category"] == "data_error"
    assert old_view["revoke_reason"] == "Thông tin trên giấy chứng nhận có sai sót: Đã cấp lại giấy đúng."
    assert old_view["replaced_by"] == new["code"]
    page = client.get(f"/verify/{c['code']}").text
    assert "đã bị thu hồi" in page and "Thông tin trên giấy chứng nhận có sai sót" in page
    assert "1990" not in page and "Sai ngày sinh" not in page and "1990" not in str(old_view)
    bad = client.post(f"/api/v1/certificates/{new['id']}/revoke", headers=h,
                      json={"reason": "Lý do nội bộ", "category": "because"})
    assert bad.status_code == 422


def test_an_edited_file_is_caught_by_the_verify_page(client, db, finished):
    issued = _issue(client, finished)
    c = db.get(Certificate, issued[0]["id"])
    genuine = service.pdf_bytes(c)
    client.get("/verify/" + c.code)
    csrf = client.cookies.get("nangluc_csrf")
    same = client.post(f"/verify/{c.code}", data={"csrf_token": csrf}, files={"file": ("gcn.pdf", genuine)})
    assert "đúng là tệp đã cấp" in same.text
    edited = genuine.replace(b"/Producer", b"/Produzer")
    other = client.post(f"/verify/{c.code}", data={"csrf_token": csrf}, files={"file": ("gcn.pdf", edited)})
    assert "KHÔNG phải tệp đã cấp" in other.text


def test_bulk_pdf_has_one_page_per_valid_certificate_and_the_zip_one_file_each(client, db, finished):
    course = finished["course"]
    h = _h(client, finished["organiser"].username)
    issued = client.post(f"/api/v1/courses/{course.id}/certificates", headers=h, json={}).json()["issued"]
    client.post(f"/api/v1/certificates/{issued[0]['id']}/revoke", headers=h, json={"reason": "Cấp nhầm người"})
    pdf = client.get(f"/api/v1/courses/{course.id}/certificates.pdf", headers=h)
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) == 2
    z = zipfile.ZipFile(io.BytesIO(client.get(f"/api/v1/courses/{course.id}/certificates.zip", headers=h).content))
    assert len(z.namelist()) == 2 and all(n.startswith("GCN-") and n.endswith(".pdf") for n in z.namelist())


def test_verify_is_rate_limited(client, db, finished, monkeypatch):
    from app.config import get_settings
    monkeypatch.setattr(get_settings(), "verify_per_minute", 3)
    codes = [client.get("/verify/ABCDEFGHIJKLMNOPQRSTU").status_code for _ in range(5)]
    assert codes == [404, 404, 404, 429, 429]


def test_numbers_stay_unique_when_two_organisers_issue_at_once(backend):
    """Real threads, each with its own connection and transaction, issuing for two courses of the same issuer."""
    url = fresh_database_url(backend)
    upgrade("head", url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as db:
        curricula.sync(db, Principal.system("t"))
        org = auth.create_user(db, Principal.system("t"), username=f"org-{backend}-cert", password="Mat-khau-2026",
                               role="organiser", unit=places.get_by_key(db, "24"))
        who = principal(org)
        ids = []
        for k in range(2):
            course = open_course(db, who, capacity=30, title=f"Lớp {k}")
            courses.update_course(db, who, course.id, {"organising_body": "Sở VHTTDL Bắc Ninh",
                                                       "signer_title": "GIÁM ĐỐC", "signer_name": "Lê Văn Ký"})
            sessions.add_session(db, who, course.id, sessions.SessionInput(
                session_date=course.start_date, part_of_day="morning", start_time=None, end_time=None,
                module_ids=[course.modules[0].id], lecturer_id=None, room=None, online_link=None))
            es = [enrolment.register(db, who, course.id, add_trainee(db, who, 100 * k + i + 1000).id)
                  for i in range(12)]
            s = courses.get_course(db, who, course.id).sessions[0]
            attendance.record_marks(db, who, course.id, [{"session_id": s.id, "enrolment_id": e.id,
                                                          "status": "present"} for e in es])
            attendance.record_results(db, who, course.id)
            db.get(type(course), course.id).status = "finished"
            ids.append(course.id)
        db.commit()
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run(course_id: int) -> None:
        try:
            with write_session(engine) as db:
                barrier.wait(timeout=10)
                service.issue(db, who, course_id)
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
        rows = db.execute(select(Certificate.sequence, Certificate.register_entry)
                          .where(Certificate.course_id.in_(ids))).all()
        assert len(rows) == 24
        assert sorted(r[0] for r in rows) == list(range(1, 25))
        assert sorted(r[1] for r in rows) == list(range(1, 25))
        assert db.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.course_id.in_(ids))) == 24
    engine.dispose()
