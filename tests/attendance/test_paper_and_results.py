"""Paper and afterwards: the whole course's sign-in sheets, marks imported from a spreadsheet (all or nothing), undo,
and the results written onto the enrolments by the course's rule."""
from __future__ import annotations

import io
from io import BytesIO

from openpyxl import Workbook, load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.attendance.models import AttendanceMark
from app.audit.models import AuditEvent
from app.enrolment.models import Enrolment
from tests.helpers import api_token, sign_in


def _h(client, c) -> dict:  # noqa: ANN001
    return {"Authorization": f"Bearer {api_token(client, c['organiser'].username)}"}


def _xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["Số CCCD", "Họ và tên", "Buổi", "Điểm danh", "Ghi chú"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _people(db, c) -> list:  # noqa: ANN001
    from app.people.models import Trainee
    return [db.get(Trainee, e.trainee_id) for e in c["enrolments"]]


def test_the_whole_course_sheet_has_every_session_on_its_own_pages(client, db, course_with_class):
    c = course_with_class
    pdf = client.get(f"/api/v1/courses/{c['course'].id}/sign-in-sheet.pdf", headers=_h(client, c))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    pages = PdfReader(BytesIO(pdf.content)).pages
    assert len(pages) == 2  # three people and ten reserve rows fit one page per session
    morning, afternoon = (" ".join(p.extract_text().split()) for p in pages)
    assert "07:30–11:30" in morning and "13:30" in afternoon
    for t in _people(db, c):
        assert t.full_name in morning and t.full_name in afternoon


def test_the_template_lists_everyone_for_every_session_and_imports_back(client, db, course_with_class):
    c = course_with_class
    template = client.get(f"/api/v1/courses/{c['course'].id}/attendance/template.xlsx", headers=_h(client, c))
    ws = load_workbook(io.BytesIO(template.content)).active
    rows = [[cell.value for cell in row] for row in ws.iter_rows(min_row=2)]
    assert len(rows) == 3 * 2
    marks = ["x", "M", "P", "Vắng", "có mặt", "x"]
    for row, mark in zip(rows, marks, strict=True):
        row[3] = mark
    wb = Workbook()
    wb.active.append([cell.value for cell in ws[1]])
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    preview = client.post(f"/api/v1/courses/{c['course'].id}/attendance/import?dry_run=true", headers=_h(client, c),
                          files={"file": ("diem-danh.xlsx", buf.getvalue())})
    assert preview.status_code == 200 and preview.json()["marks"] == 6
    assert db.scalars(select(AttendanceMark)).all() == []
    done = client.post(f"/api/v1/courses/{c['course'].id}/attendance/import?dry_run=false", headers=_h(client, c),
                       files={"file": ("diem-danh.xlsx", buf.getvalue())})
    assert done.status_code == 200 and done.json()["changed"] == 6
    statuses = sorted(m.status for m in db.scalars(select(AttendanceMark)))
    assert statuses == sorted(["present", "late", "excused", "absent", "present", "present"])
    assert all(m.method == "import" for m in db.scalars(select(AttendanceMark)))


def test_one_bad_row_records_no_mark_and_names_row_and_column(client, db, course_with_class):
    c = course_with_class
    a, b, _ = _people(db, c)
    content = _xlsx([[a.citizen_id, a.full_name, "1", "x", ""],
                     ["024199999999", "", "1", "x", ""],
                     [b.citizen_id, "", "3", "x", ""],
                     [b.citizen_id, "", "1", "có lẽ", ""],
                     [a.citizen_id, "", "1 · sáng", "V", ""]])
    r = client.post(f"/api/v1/courses/{c['course'].id}/attendance/import?dry_run=false", headers=_h(client, c),
                    files={"file": ("x.xlsx", content)})
    assert r.status_code == 422
    errors = {(e["row"], e["column"]): e["message"] for e in r.json()["errors"]}
    assert "không có trong danh sách" in errors[(3, "Số CCCD")]
    assert "buổi 1 đến 2" in errors[(4, "Buổi")]
    assert "Có mặt (x)" in errors[(5, "Điểm danh")]
    assert "dòng 2" in errors[(6, "Buổi")]
    assert db.scalars(select(AttendanceMark)).all() == []


def test_undo_on_the_roll_call_removes_the_mark_and_keeps_the_history(client, db, course_with_class):
    c = course_with_class
    sign_in(client, c["organiser"].username)
    s1 = c["course"].sessions[0].id
    e1 = c["enrolments"][0].id
    url = f"/courses/{c['course'].id}/sessions/{s1}/roll-call"
    headers = {"HX-Request": "true", "X-CSRF-Token": client.cookies.get("nangluc_csrf")}
    tapped = client.post(url, data={"status": "present", "enrolment_id": str(e1)}, headers=headers)
    assert f'id="undo-{e1}"' in tapped.text and 'id="count-present">1<' in tapped.text
    undone = client.post(url, data={"status": "clear", "enrolment_id": str(e1)}, headers=headers)
    assert 'id="count-present">0<' in undone.text and f'id="undo-{e1}"' not in undone.text
    assert db.scalars(select(AttendanceMark)).all() == []
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "attendance_mark")).all()
    assert actions == ["attendance.mark", "attendance.unmark"]


def test_results_follow_the_course_rule_and_are_written_onto_enrolments(client, db, course_with_class):
    c = course_with_class
    course = c["course"]
    s1, s2 = (s.id for s in course.sessions)
    e1, e2, e3 = (e.id for e in c["enrolments"])
    h = _h(client, c)
    client.post(f"/api/v1/courses/{course.id}/attendance", headers=h, json={"marks": [
        {"session_id": s1, "enrolment_id": e1, "status": "present"},
        {"session_id": s2, "enrolment_id": e1, "status": "late"},
        {"session_id": s1, "enrolment_id": e2, "status": "present"},
        {"session_id": s2, "enrolment_id": e2, "status": "excused"},
        {"session_id": s1, "enrolment_id": e3, "status": "present"}]})
    r = client.post(f"/api/v1/courses/{course.id}/completion/record", headers=h)
    assert r.json() == {"completed": 1, "not_completed": 2}
    db.expire_all()
    by_id = {e.id: e for e in db.scalars(select(Enrolment).where(Enrolment.course_id == course.id))}
    assert by_id[e1].status == "completed" and by_id[e1].attendance_share == 1.0
    assert by_id[e3].status == "not_completed" and "1/2" in by_id[e3].reasons[0]["vi"]
    # The organiser decides that excused absences count for this course: e2 now completes.
    course.excused_counts = True
    db.flush()
    assert client.post(f"/api/v1/courses/{course.id}/completion/record", headers=h).json() == {
        "completed": 2, "not_completed": 1}
    db.expire_all()
    assert db.get(Enrolment, e2).status == "completed"
    # With an assessment required, nobody completes until they pass it.
    course.assessment_required = True
    db.flush()
    put = client.put(f"/api/v1/courses/{course.id}/enrolments/{e1}/assessment", headers=h, json={"passed": True})
    assert put.status_code == 200
    listing = {row["enrolment_id"]: row for row in client.get(f"/api/v1/courses/{course.id}/completion",
                                                               headers=h).json()}
    assert listing[e1]["completed"] and not listing[e2]["completed"]
    assert "kiểm tra" in listing[e2]["reason_vi"]


def test_the_attendance_tab_shows_sessions_and_results(client, db, course_with_class):
    c = course_with_class
    sign_in(client, c["organiser"].username)
    page = client.get(f"/courses/{c['course'].id}/attendance")
    assert page.status_code == 200
    assert 'id="course-sheet"' in page.text and 'id="completion-list"' in page.text
    assert "tối thiểu 80%" in page.text
    csrf = client.cookies.get("nangluc_csrf")
    done = client.post(f"/courses/{c['course'].id}/completion/record", data={"csrf_token": csrf},
                       follow_redirects=False)
    assert done.status_code == 303
    db.expire_all()
    assert all(e.status == "not_completed" for e in db.scalars(select(Enrolment)))  # nobody was marked
