"""A person signs in, sees the dashboard in Vietnamese, switches to English, searches a place, signs out."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEMO_PASSWORD, open_menu

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width,height,label", [(390, 844, "phone"), (1280, 900, "desktop")])
def test_sign_in_dashboard_switch_language_sign_out(page: Page, live_server, artifacts, backend, width, height,
                                                    label):
    page.set_viewport_size({"width": width, "height": height})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server + "/")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator("h1")).to_have_text("Đăng nhập")
    page.screenshot(path=str(artifacts / f"login-{label}-{backend}.png"), full_page=True)

    page.fill("input[name=username]", "organiser")
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]:has-text('Đăng nhập')")
    expect(page.locator("#login-error")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")

    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]:has-text('Đăng nhập')")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.locator("h1")).to_contain_text("Xin chào")
    expect(page.locator("#welcome")).to_be_visible()
    page.screenshot(path=str(artifacts / f"dashboard-vi-{label}-{backend}.png"), full_page=True)

    page.click("button[name=locale][value=en]")
    expect(page.locator("h1")).to_contain_text("Hello")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.screenshot(path=str(artifacts / f"dashboard-en-{label}-{backend}.png"), full_page=True)
    page.click("button[name=locale][value=vi]")
    expect(page.locator("h1")).to_contain_text("Xin chào")

    page.goto(live_server + "/places")
    page.fill("input[type=search]", "tan dinh")
    expect(page.locator("#results")).to_contain_text("Xã Tân Dĩnh")  # arrives by HTMX, no page reload
    page.screenshot(path=str(artifacts / f"places-{label}-{backend}.png"), full_page=True)

    open_menu(page)  # on a phone the menu is behind one button
    page.click("#sign-out")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator("#toasts")).to_contain_text("Bạn đã đăng xuất.")
    page.goto(live_server + "/dashboard")
    expect(page).to_have_url(re.compile(r"/login"))
    assert not [e for e in errors if "Content Security Policy" in e], errors
