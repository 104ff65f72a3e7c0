"""From the sign-in page to an account, on a phone: sign-up waiting for the organisers, their decision, and an
official on record claiming their account with an invitation code. Screenshots at 360 and 1280 px."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import DEMO_PASSWORD, sign_in_as
from tests.people.factories import cccd

pytestmark = pytest.mark.browser
NEW_PASSWORD = "Song-Hong-chay-qua-cau-77"
SIZES = {"phone": {"width": 360, "height": 640}, "desktop": {"width": 1280, "height": 900}}


def _shot(page, artifacts, name: str, label: str, backend: str) -> None:  # noqa: ANN001
    page.screenshot(path=str(artifacts / f"{name}-{label}-{backend}.png"), full_page=True)


@pytest.mark.parametrize("label", ["phone", "desktop"])
def test_sign_up_then_the_organiser_confirms(browser: Browser, live_server, artifacts, backend, label):
    from datetime import date

    person = browser.new_context(viewport=SIZES[label]).new_page()
    person.goto(live_server + "/login")
    _shot(person, artifacts, "login", label, backend)
    person.click("#to-signup")  # no address typed: the sign-in page links to the sign-up
    expect(person.locator("h1")).to_have_text("Đăng ký học viên")
    serial = 880000 + (1 if label == "phone" else 2)
    person.fill("input[name=full_name]", f"Hoàng Thị Mới {label}")
    person.select_option("select[name=sex]", "female")
    person.fill("input[name=birth_date]", "14/05/1990")
    person.select_option("select[name=ethnicity]", "kinh")
    person.fill("input[name=citizen_id]", cccd(date(1990, 5, 14), "female", serial))
    person.select_option("select[name=position]", "cong_chuc_vhxh")
    person.select_option("select[name=organisation_type]", "ubnd_xa")
    person.fill("input[name=commune]", "07432")
    person.fill("input[name=password]", NEW_PASSWORD)
    person.check("input[name=consent]")
    _shot(person, artifacts, "signup-form", label, backend)
    person.click("button:has-text('Gửi đăng ký')")
    expect(person.locator("h1")).to_have_text("Đã nhận đăng ký")
    username = person.locator("#new-username").inner_text()
    _shot(person, artifacts, "signup-done", label, backend)
    person.click("#go-sign-in")
    person.fill("input[name=username]", username)
    person.fill("input[name=password]", NEW_PASSWORD)
    person.click("button[type=submit]:has-text('Đăng nhập')")
    person.goto(live_server + "/me")
    expect(person.locator("#signup-waiting")).to_contain_text("đang chờ cán bộ tổ chức")
    _shot(person, artifacts, "signup-waiting", label, backend)

    staff = browser.new_context(viewport=SIZES[label]).new_page()
    sign_in_as(staff, live_server, "organiser")
    staff.click("#pending-signups a >> nth=0")
    case = staff.locator("article.signup-case", has_text=f"Hoàng Thị Mới {label}")
    expect(case).to_be_visible()
    _shot(staff, artifacts, "signups", label, backend)
    case.locator("button:has-text('Xác nhận')").click()
    expect(staff.locator("#toasts")).to_contain_text("Đã xác nhận đăng ký")

    person.goto(live_server + "/me")
    expect(person.locator("h1")).to_have_text("Hồ sơ của tôi")


@pytest.mark.parametrize("label", ["phone", "desktop"])
def test_an_official_on_record_claims_the_account_with_an_invitation(browser: Browser, live_server, artifacts,
                                                                     backend, label):
    staff = browser.new_context(viewport=SIZES[label]).new_page()
    sign_in_as(staff, live_server, "organiser")
    staff.goto(live_server + "/trainees")
    # The first record without an account (its page offers the invitation).
    hrefs = [a.get_attribute("href") for a in staff.locator("#results tbody tr a").all()[:40]]
    found = None
    for href in hrefs:
        staff.goto(live_server + href)
        if staff.locator("#invite").count():
            found = href
            break
    assert found, "no demo record without an account"
    staff.click("#invite")
    code = staff.locator("#invitation-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    _shot(staff, artifacts, "invitation", label, backend)
    if label == "desktop":  # the slip is printed and handed out: only the slip is on paper
        staff.emulate_media(media="print")
        staff.pdf(path=str(artifacts / f"invitation-{backend}.pdf"), format="A5")
        staff.emulate_media(media="screen")

    person = browser.new_context(viewport=SIZES[label]).new_page()
    person.goto(live_server + "/login")
    person.click("#to-claim")
    person.fill("input[name=code]", code)
    person.fill("input[name=password]", NEW_PASSWORD)
    person.fill("input[name=confirm_password]", NEW_PASSWORD)
    _shot(person, artifacts, "claim", label, backend)
    person.click("#claim-submit")
    expect(person.locator("h1")).to_have_text("Đã nhận tài khoản")
    username = person.locator("#new-username").inner_text()
    person.click("#go-sign-in")
    person.fill("input[name=username]", username)
    person.fill("input[name=password]", NEW_PASSWORD)
    person.click("button[type=submit]:has-text('Đăng nhập')")
    person.goto(live_server + "/me")
    expect(person.locator("h1")).to_have_text("Hồ sơ của tôi")
    person.goto(live_server + "/account")
    _shot(person, artifacts, "account", label, backend)

    again = browser.new_context(viewport=SIZES[label]).new_page()
    again.goto(live_server + "/claim")
    again.fill("input[name=code]", code)
    again.fill("input[name=password]", NEW_PASSWORD)
    again.fill("input[name=confirm_password]", NEW_PASSWORD)
    again.click("#claim-submit")
    expect(again.locator("#code-error")).to_contain_text("đã được dùng")


def test_the_list_of_accounts_shows_a_lock_and_unlocks_it(browser: Browser, live_server, artifacts, backend):
    import httpx

    for _ in range(6):
        httpx.post(live_server + "/api/v1/auth/token", data={"username": "trainer", "password": "doan-bua-thoi"})
    assert httpx.post(live_server + "/api/v1/auth/token",
                      data={"username": "trainer", "password": DEMO_PASSWORD}).status_code == 429
    for label in ("phone", "desktop"):
        staff = browser.new_context(viewport=SIZES[label]).new_page()
        sign_in_as(staff, live_server, "admin")
        staff.goto(live_server + "/users")
        expect(staff.locator("text=Tạm khoá đến").first).to_be_visible()
        _shot(staff, artifacts, "users-locked", label, backend)
    staff.locator("button:has-text('Mở khoá')").first.click()
    expect(staff.locator("#toasts")).to_contain_text("Đã mở khoá")
    assert httpx.post(live_server + "/api/v1/auth/token",
                      data={"username": "trainer", "password": DEMO_PASSWORD}).status_code == 200
