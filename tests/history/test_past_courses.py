"""A course that already took place, recorded after the fact: a 2023 course of the former Lạng Giang district
(Bắc Giang) with officials of its former communes — entered without a registration window, each step audited,
straight to finished, certified with the former names, and counted under today's Bắc Ninh in the 2023 report."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.principal import Principal
from app.curricula import service as curricula
from app.history.service import COLUMNS
from tests.courses.factories import add_trainee, principal
from tests.helpers import api_token
from tests.people.factories import cccd, person

HEADERS = [c.header for c in COLUMNS]


def participants_xlsx(rows: list[dict]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["UBND HUYỆN LẠNG GIANG"])
    ws.append(["DANH SÁCH HỌC VIÊN LỚP BỒI DƯỠNG NĂM 2023"])
    ws.append(HEADERS)
    for r in rows:
        ws.append([r.get(h) for h in HEADERS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def former_official(i: int, commune: str, attended: int, **kw) -> dict:
    from datetime import date
    birth = date(1980 + i, 3, 1 + i)
    row = person(i, **{"Xã/phường": commune, "Tỉnh/thành phố": "Bắc Giang", "Số CCCD": cccd(birth, "Nam", 500 + i),
                       "Ngày sinh": birth.strftime("%d/%m/%Y"), "Giới tính": "Nam", **kw})
    return {**row, "Số buổi có mặt": attended, "Kết quả kiểm tra": ""}


@pytest.fixture
def organiser(db, make_user):
    curricula.sync(db, Principal.system("t"))
    return make_user("organiser", unit="24")


def _events(db, action: str) -> list[AuditEvent]:  # noqa: ANN001
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_2023_course_is_recorded_finished_certified_and_reported(client, db, organiser):
    h = {"Authorization": f"Bearer {api_token(client, organiser.username)}"}
    made = client.post("/api/v1/past-courses", headers=h, json={
        "curriculum": "CT2", "title": "Bồi dưỡng kỹ năng thông tin cơ sở năm 2023", "unit": "old:217",
        "start_date": "2023-10-10", "end_date": "2023-10-11", "venue": "Hội trường UBND huyện Lạng Giang",
        "organising_body": "Phòng Văn hóa và Thông tin huyện Lạng Giang", "signer_title": "TRƯỞNG PHÒNG",
        "signer_name": "Hoàng Văn Ký", "places": ["old:217"]})
    assert made.status_code == 201, made.text
    course = made.json()
    assert course["code"].startswith("CT2-2023-24-") and course["status"] == "draft" and course["recorded_after"]
    assert course["unit_name"] == "Huyện Lạng Giang"
    cid = course["id"]
    module = course["modules"][0]["id"]
    for day, part in (("2023-10-10", "morning"), ("2023-10-11", "morning")):
        r = client.post(f"/api/v1/courses/{cid}/sessions", headers=h,
                        json={"session_date": day, "part_of_day": part, "module_ids": [module]})
        assert r.status_code == 201, r.text

    sheet = participants_xlsx([former_official(1, "Đại Lâm", 2), former_official(2, "Thái Đào", 1),
                               former_official(3, "Đại Lâm", 5)])
    bad = client.post(f"/api/v1/courses/{cid}/past/participants/import", headers=h,
                      files={"file": ("lop-2023.xlsx", sheet)}, data={"dry_run": "true"})
    assert bad.status_code == 422
    assert [(e["row"], e["column"]) for e in bad.json()["errors"]] == [(6, "Số buổi có mặt")]
    sheet = participants_xlsx([former_official(1, "Đại Lâm", 2), former_official(2, "Thái Đào", 1)])
    preview = client.post(f"/api/v1/courses/{cid}/past/participants/import", headers=h,
                          files={"file": ("lop-2023.xlsx", sheet)}, data={"dry_run": "true"})
    assert preview.status_code == 200, preview.text
    assert preview.json()["new_people"] == 2 and _events(db, "course.import_participants") == []
    done = client.post(f"/api/v1/courses/{cid}/past/participants/import", headers=h,
                       files={"file": ("lop-2023.xlsx", sheet)},
                       data={"dry_run": "false", "lawful_basis_confirmed": "true"})
    assert done.status_code == 200, done.text
    # Someone already on record, added by the JSON step.
    known = add_trainee(db, principal(organiser), 9)
    r = client.post(f"/api/v1/courses/{cid}/past/participants", headers=h,
                    json={"participants": [{"trainee_id": known.id, "attended": 2}]})
    assert r.status_code == 200, r.text

    finished = client.post(f"/api/v1/courses/{cid}/past/finish", headers=h)
    assert finished.status_code == 200 and finished.json()["status"] == "finished", finished.text
    enrolled = {e["full_name"]: e for e in client.get(f"/api/v1/courses/{cid}/enrolments", headers=h).json()["items"]}
    assert {n: e["status"] for n, e in enrolled.items()} == {
        "Nguyễn Văn Thử 1": "completed", "Nguyễn Văn Thử 2": "not_completed", "Nguyễn Văn Thử 9": "completed"}
    assert enrolled["Nguyễn Văn Thử 1"]["unit_name"] == "Xã Đại Lâm"
    again = client.post(f"/api/v1/courses/{cid}/past/finish", headers=h)
    assert again.status_code == 409 and again.json()["code"] == "course_frozen"

    for action in ("course.record_past", "session.create", "enrolment.record_past", "attendance.mark",
                   "course.import_participants", "enrolment.result", "course.record_past_finish"):
        assert _events(db, action), action

    issued = client.post(f"/api/v1/courses/{cid}/certificates", headers=h, json={})
    assert issued.status_code == 200, issued.text
    assert len(issued.json()["issued"]) == 2
    pdf = client.get(f"/api/v1/courses/{cid}/certificates.pdf", headers=h)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    # the workplace as offices write it, with the former commune, district and province (certificates/service.py)
    assert "xã đại lâm, huyện lạng giang, tỉnh bắc giang" in " ".join(text.split()).lower()
    assert "LẠNG GIANG" in text.upper()

    report = client.get("/api/v1/reports/summary", headers=h, params={"period": "2023", "place": "24"})
    assert report.status_code == 200, report.text
    indicators = report.json()["indicators"]
    assert (indicators["courses_held"], indicators["officials_trained"], indicators["completions"],
            indicators["certificates"]) == (1, 3, 2, 2)
    assert report.json()["scope"]["name"] == "Tỉnh Bắc Ninh"
    later = client.get("/api/v1/reports/summary", headers=h, params={"period": "2026", "place": "24"}).json()
    assert later["indicators"]["courses_held"] == 0  # counted in its own year


def test_only_a_course_that_took_place_is_recorded_this_way(client, db, organiser):
    h = {"Authorization": f"Bearer {api_token(client, organiser.username)}"}
    from app.history.service import today_vn
    r = client.post("/api/v1/past-courses", headers=h, json={
        "curriculum": "CT2", "title": "Lớp chưa học", "start_date": today_vn().isoformat(),
        "end_date": today_vn().isoformat()})
    assert r.status_code == 422 and r.json()["code"] == "not_past"
    assert "lập kế hoạch và mở đăng ký như thường lệ" in r.json()["detail"]
    outside = client.post("/api/v1/past-courses", headers=h, json={
        "curriculum": "CT2", "title": "Lớp của tỉnh khác", "unit": "old:01", "start_date": "2023-01-01",
        "end_date": "2023-01-02"})
    assert outside.status_code in (403, 404)
