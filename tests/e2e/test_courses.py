"""An organiser plans a course in the browser: details, two sessions, and the clash with another course is flagged."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from app.db import utcnow
from tests.e2e.conftest import sign_in_as

pytestmark = pytest.mark.browser


def _demo_start():
    start = utcnow().date() + timedelta(days=21)
    return start - timedelta(days=start.weekday())  # the demo course's first day (see app/demo/courses.py)


def test_plan_a_course_with_two_sessions_and_see_the_conflict(page: Page, live_server, artifacts, backend):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, live_server, "organiser")

    page.goto(live_server + "/courses/new?curriculum=CT3")
    page.fill("input[name=title]", "Bồi dưỡng tuyên truyền viên đoàn thể 2026")
    page.click("button[type=submit]:has-text('Tạo khoá học')")
    expect(page).to_have_url(re.compile(r"/courses/\d+/edit$"))

    start = _demo_start()
    page.fill("input[name=start_date]", str(start))
    page.fill("input[name=end_date]", str(start - timedelta(days=1)))  # a typing mistake
    page.fill("input[name=capacity]", "70")
    page.click("form button[type=submit]:has-text('Lưu')")
    expect(page.locator("#form-error")).to_have_text("Ngày kết thúc phải cùng hoặc sau ngày bắt đầu.")
    page.fill("input[name=end_date]", str(start + timedelta(days=1)))
    page.fill("input[name=venue]", "Nhà văn hoá xã Tân Dĩnh")
    page.fill("input[name=places]", "24")
    page.click("form button[type=submit]:has-text('Lưu')")
    expect(page.locator("#toasts")).to_contain_text("Đã lưu thông tin khoá học.")
    expect(page.locator("#open-problems")).to_contain_text("Chưa có buổi học nào cho chuyên đề")

    page.click("nav.tabs >> text=Lịch học")
    form = page.locator("#add-session")
    form.locator("input[name=session_date]").fill(str(start))
    form.locator("select[name=part_of_day]").select_option("morning")
    form.locator("input[name=module_ids]").nth(0).check()
    giang = form.locator("select[name=lecturer_id] option", has_text="Trần Thị Giảng").get_attribute("value")
    form.locator("select[name=lecturer_id]").select_option(giang)
    form.locator("button").click()
    # The demo course has Trần Thị Giảng teaching that same morning.
    expect(page.locator("#toasts")).to_contain_text("Cảnh báo")
    expect(page.locator("#session-warnings .conflict")).to_contain_text("Trần Thị Giảng")

    form = page.locator("#add-session")
    form.locator("input[name=session_date]").fill(str(start + timedelta(days=1)))
    form.locator("select[name=part_of_day]").select_option("afternoon")
    form.locator("input[name=module_ids]").nth(1).check()
    form.locator("button").click()
    expect(page.locator("#sessions tbody tr")).to_have_count(2)
    page.screenshot(path=str(artifacts / f"course-sessions-conflict-{backend}.png"), full_page=True)

    page.click("nav.tabs >> text=Tổng quan")
    page.click("#to-open")
    expect(page.locator("#toasts")).to_contain_text("Chưa thể chuyển trạng thái")
    expect(page.locator("#course-status")).to_have_text("Nháp")
    page.screenshot(path=str(artifacts / f"course-overview-{backend}.png"), full_page=True)


@pytest.mark.parametrize("width,label", [(390, "phone"), (1280, "desktop")])
def test_month_calendar_shows_the_demo_course(page: Page, live_server, artifacts, backend, width, label):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_as(page, live_server, "trainer")
    start = _demo_start()
    page.goto(live_server + f"/calendar?month={start:%Y-%m}")
    expect(page.locator(".event").first).to_contain_text("CT2-")
    page.screenshot(path=str(artifacts / f"calendar-{label}-{backend}.png"), full_page=True)
