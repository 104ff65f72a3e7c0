"""The dashboard, the drill-down, the workbook read back, the CSV and the JSON API, as an organiser gets them."""
from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

from app.audit.models import AuditEvent
from tests.helpers import api_token, sign_in


def _organiser(client, make_user, unit="24"):  # noqa: ANN001
    user = make_user("organiser", unit=unit)
    sign_in(client, user.username)
    return user


def test_dashboard_shows_vietnamese_figures_charts_and_places(client, programme, make_user):
    _organiser(client, make_user)
    page = client.get("/reports?period=")
    assert page.status_code == 200
    html = page.text
    assert "Tỉnh Bắc Ninh" in html and 'id="kpi-attendances">5<' in html and 'id="kpi-officials">3<' in html
    assert 'id="kpi-cvh">1,0%<' in html  # Vietnamese decimal comma
    assert html.count("<svg") >= 5 and "<script" not in html.split('id="report"')[1]
    assert 'href="/reports?period=&amp;place=07432"' in html  # drill down to the commune, keeping the period
    assert "Tỉnh Bắc Giang (trước 1/7/2025; nay thuộc Tỉnh Bắc Ninh)" in html
    assert "Ba Đình" not in html and "Hà Nội" not in html
    assert 'id="ethnicity-minority"' in html and "Ẩn vì có nhóm dưới 5 người" in html
    assert "17.000.000" in html  # planned budget, Vietnamese thousands


def test_drill_down_province_commune_course(client, programme, make_user):
    _organiser(client, make_user)
    commune = client.get("/reports?period=&place=07432")
    assert commune.status_code == 200 and "Xã Tân Dĩnh" in commune.text
    c1 = programme["c"][0]
    link = re.search(rf'href="(/reports/courses/{c1.id}\?[^"]*)"', commune.text)
    assert link, "the commune lists the courses its officials attended"
    course = client.get(link.group(1).replace("&amp;", "&"))
    assert course.status_code == 200 and "Lớp C1" in course.text and 'id="kpi-enrolled">3<' in course.text
    assert 'id="chart-sessions"' in course.text and "15.000.000" in course.text
    assert client.get("/reports?place=01").status_code == 404  # Hà Nội is outside Bắc Ninh
    assert client.get(f"/reports/courses/{programme['c'][2].id}").status_code == 200  # T1 had a seat on it


def test_htmx_filter_returns_only_the_report_block(client, programme, make_user):
    _organiser(client, make_user)
    part = client.get("/reports?period=2024", headers={"HX-Request": "true"})
    assert part.status_code == 200 and "<html" not in part.text and 'id="kpi-courses">1<' in part.text


def test_bad_period_is_a_clear_vietnamese_error(client, programme, make_user):
    _organiser(client, make_user)
    page = client.get("/reports?period=2026-H3")
    assert page.status_code == 422 and "Kỳ báo cáo “2026-H3” không hợp lệ" in page.text


def test_trainers_and_trainees_get_no_reports(client, programme, make_user):
    trainer = make_user("trainer", unit="24")
    sign_in(client, trainer.username)
    assert client.get("/reports").status_code == 403
    assert client.get("/media").status_code == 403


def test_xlsx_reads_back_with_title_period_unit_totals_and_signature(client, db, programme, make_user):
    _organiser(client, make_user)
    response = client.get("/reports/export.xlsx?period=2026-H1")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "bao-cao-24-2026-H1.xlsx" in response.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb["Báo cáo"]
    cells = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}
    text = [v for v in cells.values() if isinstance(v, str)]
    assert ws["A1"].value == "TỈNH BẮC NINH" and ws["D1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert any(t.startswith("BÁO CÁO KẾT QUẢ BỒI DƯỠNG") for t in text)
    assert "Kỳ báo cáo: 6 tháng đầu năm 2026 (từ 01/01/2026 đến 30/06/2026)" in text
    assert any(t.startswith("Đơn vị: Tỉnh Bắc Ninh") for t in text)
    indicators = {cells.get((r, 2)): cells.get((r, 4)) for r in range(1, ws.max_row + 1)}
    assert indicators["Số khoá bồi dưỡng, tập huấn đã tổ chức"] == 1
    assert indicators["Số lượt học viên tham dự"] == 3
    assert indicators["Số cán bộ được bồi dưỡng (mỗi người tính một lần)"] == 3
    assert indicators["Số giấy chứng nhận đã cấp (còn hiệu lực)"] == 1
    totals = [r for r in range(1, ws.max_row + 1) if cells.get((r, 2)) == "Tổng cộng"]
    assert totals and cells[(totals[0], 3)] == 1 and cells[(totals[0], 4)] == 3  # curricula: courses, attendances
    assert "THỦ TRƯỞNG ĐƠN VỊ" in text and "NGƯỜI LẬP BIỂU" in text
    assert "*" in text  # the ethnicity rows are hidden
    assert [c.value for c in wb["Khoá học"][2]][1] == "C1"
    event = db.query(AuditEvent).filter(AuditEvent.action == "report.export").one()
    assert event.changes["format"] == "xlsx" and event.changes["period"] == "2026-H1"


def test_xlsx_neutralises_formulas_in_names(client, db, programme, make_user):
    programme["c"][0].code = "=HYPERLINK(\"x\")"
    db.flush()
    _organiser(client, make_user)
    wb = load_workbook(io.BytesIO(client.get("/reports/export.xlsx?period=").content))
    codes = [row[1].value for row in wb["Khoá học"].iter_rows(min_row=2)]
    assert "'=HYPERLINK(\"x\")" in codes
    assert not any(isinstance(c.value, str) and c.value.startswith("=") for ws in wb for row in ws.iter_rows()
                   for c in row)


def test_csv_for_analysts(client, programme, make_user):
    _organiser(client, make_user)
    response = client.get("/reports/export.csv?period=")
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    total = next(r for r in rows if r["dimension"] == "total")
    assert (total["courses_held"], total["trainee_attendances"], total["officials_trained"]) == ("2", "5", "3")
    ct3 = next(r for r in rows if r["dimension"] == "curriculum" and r["key"] == "CT3")
    assert ct3["officials_trained"] == "2"
    ethnicity = [r for r in rows if r["dimension"] == "ethnicity"]
    assert {r["officials_trained"] for r in ethnicity} == {""} and {r["note"] for r in ethnicity} == {"suppressed"}
    tan_dinh = next(r for r in rows if r["dimension"] == "commune" and r["key"] == "07432")
    assert tan_dinh["officials_trained"] == "3"


def test_api_summary_course_and_downloads(client, programme, make_user):
    user = make_user("organiser", unit="24")
    h = {"Authorization": f"Bearer {api_token(client, user.username)}"}
    body = client.get("/api/v1/reports/summary", params={"period": ""}, headers=h).json()
    assert body["scope"] == {"key": "24", "name": "Tỉnh Bắc Ninh", "rows": "commune"}
    assert body["indicators"]["courses_held"] == 2 and body["indicators"]["trainee_attendances"] == 5
    assert body["indicators"]["officials_trained"] == 3 and body["indicators"]["cvh_share_percent"] == 1.0
    assert body["by_ethnicity"]["suppressed"] is True
    assert body["by_ethnicity"]["rows"][0]["officials_trained"] is None
    assert body["budget"]["total"] == {"key": "", "planned": 17000000, "spent": 11500000, "rate_percent": 67.6}
    assert body["media"]["products"] == 1
    assert len(body["places"]) == 99
    wrong = client.get("/api/v1/reports/summary", params={"place": "01"}, headers=h)
    assert wrong.status_code == 404 and wrong.json()["code"] == "unit_not_found"
    bad = client.get("/api/v1/reports/summary", params={"period": "2026-13"}, headers=h)
    assert bad.status_code == 422 and bad.json()["field"] == "period"
    course = client.get(f"/api/v1/reports/courses/{programme['c'][0].id}", headers=h).json()
    assert course["indicators"]["seats"] == 3 and [s["attended"] for s in course["sessions"]] == [3, 2]
    assert client.get("/api/v1/reports/export.xlsx", headers=h).status_code == 200
    assert client.get("/api/v1/reports/export.csv", headers=h).text.startswith("\ufeffscope,")
