"""A trainee opens the catalogue and a curriculum; an organiser builds a course from it and adds local content."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEMO_PASSWORD, open_menu

pytestmark = pytest.mark.browser


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]:has-text('Đăng nhập')")
    expect(page).to_have_url(re.compile(r"/dashboard$"))


@pytest.mark.parametrize("width,label", [(390, "phone"), (1280, "desktop")])
def test_catalogue_and_curriculum(page: Page, live_server, artifacts, backend, width, label):
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, live_server, "trainee")
    open_menu(page)  # on a phone the menu is behind one button
    page.click("#site-menu >> text=Chương trình")
    expect(page.locator(".curriculum-card")).to_have_count(4)
    page.screenshot(path=str(artifacts / f"catalogue-{label}-{backend}.png"), full_page=True)
    page.click("#card-CT2 h2 a")
    expect(page.locator("h1")).to_contain_text("thông tin cơ sở")
    expect(page.locator("#module-M3")).to_contain_text("Kỹ năng sản xuất chương trình cho Đài Truyền thanh cấp xã")
    page.screenshot(path=str(artifacts / f"curriculum-ct2-{label}-{backend}.png"), full_page=True)


def test_organiser_builds_a_course_with_a_local_module(page: Page, live_server, artifacts, backend):
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, live_server, "organiser")
    page.goto(live_server + "/courses/new?curriculum=CT3")
    page.fill("input[name=title]", "")
    page.click("button[type=submit]:has-text('Tạo khoá học')")  # the browser's own check stops an empty title
    expect(page).to_have_url(re.compile(r"/courses/new"))
    page.fill("input[name=title]", "Bồi dưỡng tuyên truyền viên khối đoàn thể 2026")
    page.fill("input[name=unit]", "01")  # Hà Nội: outside the organiser's province
    page.click("button[type=submit]:has-text('Tạo khoá học')")
    expect(page.locator("#form-error")).to_have_text("Chỉ tạo được khoá học trong đơn vị của bạn.")
    page.fill("input[name=unit]", "")
    page.click("button[type=submit]:has-text('Tạo khoá học')")
    expect(page.locator("#toasts")).to_contain_text("Đã tạo khoá học CT3-")
    page.click("nav.tabs >> text=Tổng quan")
    expect(page.locator("#pinned-version")).to_contain_text("CT3")
    form = page.locator("#add-local-module")
    form.locator("input[name=title]").fill("Tuyên truyền mô hình giảm nghèo của Bắc Ninh")
    form.locator("input[name=theory_hours]").fill("abc")
    form.locator("button").click()
    expect(page.locator("#toasts")).to_contain_text("không phải là một số")
    form.locator("input[name=title]").fill("Tuyên truyền mô hình giảm nghèo của Bắc Ninh")
    form.locator("input[name=theory_hours]").fill("2,5")
    form.locator("button").click()
    expect(page.locator("#course-module-DP1")).to_contain_text("địa phương")
    page.screenshot(path=str(artifacts / f"course-{backend}.png"), full_page=True)
