"""A 2023 course of the former Lạng Giang district entered through the pages on a phone (360 px): details,
sessions, a participants sheet with communes named as they were, finished, certified with the former names, and
counted under today's Bắc Ninh in the 2023 report."""
from __future__ import annotations

import io
import re
from datetime import date

from openpyxl import Workbook
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from app.history.service import COLUMNS
from tests.e2e.conftest import sign_in_as
from tests.people.factories import cccd, person


def _sheet(path) -> None:  # noqa: ANN001
    wb = Workbook()
    ws = wb.active
    ws.append(["UBND HUYỆN LẠNG GIANG"])
    ws.append(["DANH SÁCH HỌC VIÊN LỚP BỒI DƯỠNG THÁNG 10/2023"])
    headers = [c.header for c in COLUMNS]
    ws.append(headers)
    for i, (commune, attended) in enumerate((("Đại Lâm", 2), ("Thái Đào", 2)), start=71):
        birth = date(1979 + i % 10, 5, i % 28 + 1)
        row = person(i, **{"Xã/phường": commune, "Tỉnh/thành phố": "Bắc Giang", "Giới tính": "Nữ",
                           "Ngày sinh": birth.strftime("%d/%m/%Y"), "Số CCCD": cccd(birth, "Nữ", 7000 + i),
                           "Họ và tên": f"Trần Thị Lớp Cũ {i}"})
        ws.append([{**row, "Số buổi có mặt": attended}.get(h) for h in headers])
    wb.save(path)


def _kpi(page: Page, base: str) -> int:
    page.goto(f"{base}/reports?period=2023")
    return int(page.locator("#kpi-courses").inner_text().replace(".", "").strip())


def test_a_2023_course_entered_on_a_phone_is_certified_and_reported(page: Page, live_server, artifacts, tmp_path):
    base = live_server
    page.set_viewport_size({"width": 360, "height": 780})
    sign_in_as(page, base, "organiser")
    before = _kpi(page, base)

    page.goto(f"{base}/courses")
    page.click("#past-course-link")
    expect(page.locator("h1")).to_have_text("Ghi nhận khoá học đã tổ chức")
    page.select_option("select[name=curriculum]", "CT2")
    page.fill("input[name=title]", "Bồi dưỡng kỹ năng thông tin cơ sở huyện Lạng Giang năm 2023")
    page.fill("input[name=unit]", "old:217")
    page.fill("input[name=start_date]", "2023-10-10")
    page.fill("input[name=end_date]", "2023-10-11")
    page.fill("input[name=venue]", "Hội trường UBND huyện Lạng Giang")
    page.fill("input[name=places]", "old:217")
    page.fill("input[name=organising_body]", "Phòng Văn hóa và Thông tin huyện Lạng Giang")
    page.fill("input[name=signer_title]", "TRƯỞNG PHÒNG")
    page.fill("input[name=signer_name]", "Hoàng Văn Ký")
    page.screenshot(path=str(artifacts / "past-course-new-360.png"), full_page=True)
    page.click("#past-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/courses/\d+/past$"))
    course_id = int(re.search(r"/courses/(\d+)/past", page.url).group(1))
    expect(page.locator("hgroup p")).to_contain_text("Huyện Lạng Giang")

    for day in ("2023-10-10", "2023-10-11"):
        page.fill("#session-form input[name=session_date]", day)
        page.click("#session-form button")
    expect(page.locator("#sessions")).to_contain_text("(2)")

    sheet = tmp_path / "lop-2023.xlsx"
    _sheet(sheet)
    page.set_input_files("#upload-form input[type=file]", str(sheet))
    page.click("#upload-form button")
    expect(page.locator("#import-summary")).to_contain_text("2 người mới")
    page.check("#confirm-form input[name=lawful_basis_confirmed]")
    page.click("#confirm-form button")
    expect(page.locator("#participant-table")).to_contain_text("Xã Đại Lâm")
    expect(page.locator("#participant-table")).to_contain_text("Xã Thái Đào")
    page.screenshot(path=str(artifacts / "past-course-steps-360.png"), full_page=True)

    page.click("#finish-form button")
    expect(page).to_have_url(re.compile(rf"/courses/{course_id}/certificates$"))
    page.click("#issue-form button")
    expect(page.locator("main")).to_contain_text("Trần Thị Lớp Cũ 71")
    pdf = page.request.get(f"{base}/courses/{course_id}/certificates.pdf")
    assert pdf.ok
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "xã đại lâm, huyện lạng giang, tỉnh bắc giang" in text.lower()  # the workplace, as it was in 2023

    assert _kpi(page, base) == before + 1
    expect(page.locator("#report-title")).to_contain_text("Bắc Ninh")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{base}/courses/{course_id}/past")
    expect(page.locator("#recorded")).to_be_visible()
    page.screenshot(path=str(artifacts / "past-course-done-1280.png"), full_page=True)
