"""Taking attendance: bulk marks with history, the phone roll call, completion, and the printed sign-in sheet."""
from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import select

from app.attendance.sheet import SheetData, SheetRow, sign_in_sheet
from app.audit.models import AuditEvent
from tests.helpers import api_token, sign_in


def test_bulk_marks_keep_history_and_feed_completion(client, db, course_with_class):
    c = course_with_class
    h = {"Authorization": f"Bearer {api_token(client, c['organiser'].username)}"}
    s1, s2 = (s.id for s in c["course"].sessions)
    e1, e2, e3 = (e.id for e in c["enrolments"])
    r = client.post(f"/api/v1/courses/{c['course'].id}/attendance", headers=h, json={"marks": [
        {"session_id": s1, "enrolment_id": e1, "status": "present"},
        {"session_id": s2, "enrolment_id": e1, "status": "late"},
        {"session_id": s1, "enrolment_id": e2, "status": "present"},
        {"session_id": s2, "enrolment_id": e2, "status": "absent"}]})
    assert r.status_code == 200 and r.json() == {"changed": 4}
    fixed = client.post(f"/api/v1/courses/{c['course'].id}/attendance", headers=h, json={"marks": [
        {"session_id": s2, "enrolment_id": e2, "status": "excused", "note": "Ốm"}]})
    assert fixed.json() == {"changed": 1}
    history = db.scalars(select(AuditEvent.changes).where(AuditEvent.action == "attendance.mark")).all()
    assert {"session": s2, "enrolment": e2, "status": ["absent", "excused"], "method": "roll_call"} in history
    listing = {row["full_name"]: row for row in client.get(f"/api/v1/courses/{c['course'].id}/completion",
                                                            headers=h).json()}
    assert [row["completed"] for row in listing.values()] == [True, False, False]
    bad = client.post(f"/api/v1/courses/{c['course'].id}/attendance", headers=h, json={"marks": [
        {"session_id": s1, "enrolment_id": e3, "status": "present"},
        {"session_id": s1, "enrolment_id": 999999, "status": "present"}]})
    assert bad.status_code == 422  # all or nothing: the first mark was not kept either
    grid = client.get(f"/api/v1/courses/{c['course'].id}/attendance", headers=h).json()
    assert next(r for r in grid["rows"] if r["enrolment_id"] == e3)["marks"] == {}


def test_roll_call_page_one_tap_and_everyone_present(client, db, course_with_class):
    c = course_with_class
    sign_in(client, c["organiser"].username)
    s1 = c["course"].sessions[0].id
    url = f"/courses/{c['course'].id}/sessions/{s1}/roll-call"
    page = client.get(url)
    assert page.status_code == 200 and 'id="count-unmarked">3<' in page.text
    csrf = client.cookies.get("nangluc_csrf")
    one = client.post(url, data={"status": "absent", "enrolment_id": str(c["enrolments"][0].id)},
                      headers={"HX-Request": "true", "X-CSRF-Token": csrf})
    assert one.status_code == 200 and "<html" not in one.text  # a fragment, no full reload
    assert 'id="count-absent">1<' in one.text
    everyone = client.post(url, data={"status": "present"}, headers={"HX-Request": "true", "X-CSRF-Token": csrf})
    assert 'id="count-present">2<' in everyone.text and 'id="count-absent">1<' in everyone.text


def test_a_trainee_cannot_take_attendance(client, db, course_with_class, make_user):
    trainee = make_user("trainee", unit="07432")
    h = {"Authorization": f"Bearer {api_token(client, trainee.username)}"}
    assert client.get(f"/api/v1/courses/{course_with_class['course'].id}/attendance", headers=h).status_code in (
        403, 404)


def test_sign_in_sheet_for_130_trainees_reads_back():
    rows = [SheetRow(f"Nguyễn Thị Học Viên {i:03d}", "UBND xã/phường/đặc khu", "Xã Tân Dĩnh, Tỉnh Bắc Ninh")
            for i in range(1, 131)]
    pdf = sign_in_sheet(SheetData("CT2-2026-24-001", "Bồi dưỡng kỹ năng thông tin cơ sở", "14/12/2026, 07:30–11:30",
                                  "Hội trường A", "Sở Văn hóa, Thể thao và Du lịch tỉnh Bắc Ninh", rows))
    reader = PdfReader(BytesIO(pdf))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert all(r.full_name in text for r in rows)
    # 140 rows of 9 mm under a repeated header: about 25 rows a page.
    assert len(reader.pages) == 6
    assert all("Họ và tên" in p.extract_text() and "Ký tên" in p.extract_text() for p in reader.pages)
    assert f"Trang {len(reader.pages)}" in reader.pages[-1].extract_text()
    fonts = {str(f.get("/BaseFont")) for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    assert all("BeVietnamPro" in f for f in fonts)
