"""A closed period's report stays as submitted: the same bytes years later, whatever changes; a late change is an
amendment with its reason beside the original. Both databases; the pages and the API with their audit events."""
from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.attendance import service as attendance
from app.audit.models import AuditEvent
from app.certificates import service as certificates
from app.errors import Conflict, Invalid, NotFound
from app.reports import late, rules, submissions
from app.reports.models import ReportSubmission
from tests.attendance.conftest import course_with_class  # noqa: F401 - a fixture, shared
from tests.audit.test_every_route import trail  # noqa: F401 - a fixture, shared
from tests.certificates.test_issue import finished  # noqa: F401 - a fixture, shared
from tests.courses.factories import principal


def test_a_period_may_be_closed_once_it_has_ended():
    today = date(2026, 7, 1)
    assert rules.may_close(rules.parse_period("2026-H1"), today) is None
    assert "chưa kết thúc" in rules.may_close(rules.parse_period("2026-H2"), today)[0]
    assert "30/06/2026" in rules.may_close(rules.parse_period("2026-H1"), date(2026, 6, 30))[0]
    assert rules.may_close(rules.parse_period(""), today) is not None


def test_differences_name_each_changed_figure():
    before = {"indicators": {"completions": 2, "certificates": 0}, "by_sex": [{"sex": "nu", "completions": 1}]}
    after = {"indicators": {"completions": 2, "certificates": 2}, "by_sex": [{"sex": "nu", "completions": 2}]}
    assert rules.differences(before, after) == [("by_sex[nu].completions", 1, 2), ("indicators.certificates", 0, 2)]
    assert rules.differences(before, before) == []


def test_a_changed_figure_is_named_in_words():
    figures = {"places": [{"key": "07432", "name": "Xã Tân Dĩnh", "certificates": 3}],
               "by_ethnicity": {"rows": [{"group": "minority", "certificates": 2}]},
               "by_commune_category": [{"category": "dtts", "certificates": 1}]}
    assert rules.describe("places[07432].certificates", figures) == (
        "Theo địa bàn › Xã Tân Dĩnh › Giấy chứng nhận đã cấp")
    assert rules.describe("places[07432].certificates", figures, en=True) == (
        "By place › Xã Tân Dĩnh › Certificates issued")
    assert rules.describe("by_ethnicity.rows[minority].certificates", figures) == (
        "Theo dân tộc › Dân tộc thiểu số › Giấy chứng nhận đã cấp")
    assert rules.describe("by_commune_category[dtts].officials_trained", figures).startswith("Theo loại xã › Vùng ")
    # a row found only in today's figures (a commune with its first official), and a part no label knows
    assert rules.describe("places[07210].seats", figures, {"places": [{"key": "07210", "name": "Phường Bắc Giang"}]}
                          ) == "Theo địa bàn › Phường Bắc Giang › Lượt đăng ký được tính"
    assert rules.describe("later[x].y", figures) == "later › x › y"


@pytest.fixture
def last_year(db, finished):  # noqa: F811
    """The finished class moved to 2025, so that 2025 has ended and can be closed."""
    course = finished["course"]
    course.start_date = course.end_date = date(2025, 11, 20)
    db.flush()
    return finished


def test_closing_keeps_the_report_as_submitted_and_an_amendment_needs_a_reason(db, last_year, make_user):
    who = last_year["who"]
    row = submissions.close_period(db, who, "2025")
    assert (row.kind, row.period_key, row.figures["indicators"]["completions"]) == ("submitted", "2025", 3)
    book = load_workbook(io.BytesIO(row.workbook))
    assert "Báo cáo" in book.sheetnames and hashlib.sha256(row.workbook).hexdigest() == row.workbook_sha256
    with pytest.raises(Conflict) as e:
        submissions.close_period(db, who, "2025")
    assert e.value.code == "period_closed"
    with pytest.raises(Invalid):
        submissions.close_period(db, who, "2099-H1")
    # a late change: certificates issued after the report was sent (with a reason: the period is closed)
    late.allow(db, who, "Cấp giấy chứng nhận sau khi nộp báo cáo")
    certificates.issue(db, who, last_year["course"].id)
    d = submissions.detail(db, who, row.id)
    assert ("indicators.certificates", 0, 3) in d.pending
    kept_bytes, name = submissions.download(db, who, row.id, "xlsx")
    assert hashlib.sha256(kept_bytes).hexdigest() == row.workbook_sha256 and name == "bao-cao-24-2025.xlsx"
    with pytest.raises(Invalid) as e:
        submissions.amend(db, who, row.id, "sửa")
    assert e.value.code == "reason_required"
    amendment = submissions.amend(db, who, row.id, "Cấp giấy chứng nhận sau khi nộp báo cáo")
    assert amendment.amends_id == row.id and amendment.figures["indicators"]["certificates"] == 3
    assert submissions.detail(db, who, row.id).pending == []
    assert db.get(ReportSubmission, row.id).figures["indicators"]["certificates"] == 0  # the original stays
    with pytest.raises(Conflict):  # nothing changed since the amendment
        submissions.amend(db, who, row.id, "Không có thay đổi gì thêm")
    # another province's organiser does not see it
    other = principal(make_user("organiser", unit="01"))
    with pytest.raises(NotFound):
        submissions.get(db, other, row.id)
    assert submissions.listing(db, other) == []


def test_the_pages_and_the_api(trail, db, last_year):  # noqa: F811
    org = trail.person(last_year["organiser"].username)
    hit = org.page("/reports/submissions", action="report.submit", entity="report_submission",
                   data={"period": "2025"})
    sub_id = int(hit.event.entity_id)
    assert hit.response.headers["location"] == f"/reports/submissions/{sub_id}"
    csrf = org.client.cookies.get("nangluc_csrf")
    again = org.client.post("/reports/submissions", data={"period": "2025", "csrf_token": csrf})
    assert again.status_code == 409 and "đã được chốt" in again.text
    assert db.scalar(select(func.count()).select_from(ReportSubmission)) == 1
    page = org.get(f"/reports/submissions/{sub_id}")
    assert page.status_code == 200 and "giống báo cáo đã nộp" in page.text
    got = org.client.get(f"/reports/submissions/{sub_id}/report.csv")
    row = db.get(ReportSubmission, sub_id)
    assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == row.csv_sha256
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "report.download")) == 1
    late.allow(db, last_year["who"], "Bổ sung điểm danh giấy của một học viên")
    attendance.record_marks(db, last_year["who"], last_year["course"].id, [
        {"session_id": s, "enrolment_id": last_year["enrolments"][2].id, "status": "present"}
        for s in [x.id for x in attendance.grid(db, last_year["who"], last_year["course"].id).sessions]])
    attendance.record_results(db, last_year["who"], last_year["course"].id)
    differs = org.get(f"/reports/submissions/{sub_id}").text
    assert "khác với báo cáo đã nộp" in differs
    assert "Chỉ tiêu chung › Lượt hoàn thành khoá học" in differs  # each changed figure in words, not only its key
    refused = org.client.post(f"/reports/submissions/{sub_id}/amendments", data={"reason": "", "csrf_token": csrf})
    assert refused.status_code == 422
    org.page("/reports/submissions/{submission_id}/amendments", submission_id=sub_id, action="report.amend",
             entity="report_submission", data={"reason": "Bổ sung điểm danh giấy của một học viên"})
    data = org.get(f"/api/v1/reports/submissions/{sub_id}", api=True).json()
    assert data["figures"]["indicators"]["completions"] == 3 and data["amendments"][0]["figures"]["indicators"][
        "completions"] == 4 and data["differs_now"] == []
    got = org.client.get(f"/api/v1/reports/submissions/{sub_id}/report.xlsx", headers=org.bearer)
    assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == row.workbook_sha256
    org.api("POST", "/api/v1/reports/submissions", action="report.submit", entity="report_submission",
            json={"period": "2025-H2"}, status=201)
    course = last_year["course"]
    course.end_date = course.start_date + timedelta(days=1)
    certificates.issue(db, last_year["who"], course.id)
    org.api("POST", "/api/v1/reports/submissions/{submission_id}/amendments", submission_id=sub_id,
            action="report.amend", entity="report_submission", status=201,
            json={"reason": "Giấy chứng nhận cấp muộn sau khi nộp"})
    listing = org.get("/api/v1/reports/submissions", api=True).json()
    assert [(x["period"], x["kind"]) for x in listing] == [("2025-H2", "submitted"), ("2025", "submitted"),
                                                          ("2025", "amendment"), ("2025", "amendment")]
