"""An organiser uploads a commune's list with a mistake, reads the error, fixes the file and finds the people."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in_as
from tests.people.factories import as_csv, person

pytestmark = pytest.mark.browser


def test_import_with_an_error_then_fixed(page: Page, live_server, artifacts, backend, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, live_server, "organiser")

    rows = [person(501, **{"Họ và tên": "Đinh Thị Lụa"}),
            person(502, **{"Họ và tên": "Vi Văn Toản", "Ngày sinh": "30/02/1985"})]
    broken = tmp_path / "danh-sach.csv"
    broken.write_bytes(as_csv(rows))
    page.goto(live_server + "/trainees/import")
    page.set_input_files("input[type=file]", str(broken))
    page.click("#upload-form button")
    expect(page.locator("#import-errors-summary")).to_contain_text("Chưa nhập ai")
    expect(page.locator("#import-errors")).to_contain_text("Ngày sinh “30/02/1985” không có thật.")
    expect(page.locator("#import-errors tbody tr").first).to_contain_text("3")
    page.screenshot(path=str(artifacts / f"import-errors-{backend}.png"), full_page=True)

    rows[1] = person(502, **{"Họ và tên": "Vi Văn Toản"})
    fixed = tmp_path / "danh-sach-da-sua.csv"
    fixed.write_bytes(as_csv(rows))
    page.set_input_files("input[type=file]", str(fixed))
    page.click("#upload-form button")
    expect(page.locator("#import-summary")).to_contain_text("2 người mới")
    page.check("input[name=lawful_basis_confirmed]")
    page.click("#confirm-form button")
    expect(page).to_have_url(re.compile(r"/trainees$"))
    expect(page.locator("#toasts")).to_contain_text("Đã nhập: 2 người mới")

    page.fill("input[type=search]", "dinh thi lua")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("Đinh Thị Lụa")
    page.click("text=Đinh Thị Lụa")
    expect(page.locator("#priority-CT2")).to_contain_text("Ưu tiên 1")
    page.screenshot(path=str(artifacts / f"trainee-detail-{backend}.png"), full_page=True)


@pytest.mark.parametrize("width,label", [(390, "phone"), (1280, "desktop")])
def test_trainee_sees_own_profile_and_priorities(page: Page, live_server, artifacts, backend, width, label):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_as(page, live_server, "trainee")
    page.goto(live_server + "/me")
    expect(page.locator("h1")).to_have_text("Hồ sơ của tôi")
    expect(page.locator("#priority-CT2")).to_contain_text("Ưu tiên 1")
    page.fill("input[name=phone]", "12345")
    page.click("form[action='/me'] button")
    expect(page.locator("#toasts")).to_contain_text("Số điện thoại")
    page.screenshot(path=str(artifacts / f"me-{label}-{backend}.png"), full_page=True)
