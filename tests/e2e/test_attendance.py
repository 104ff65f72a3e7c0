"""A lecturer takes the roll on a phone (three taps, one correction, one undo, reload: the marks are there), shows
the rotating QR code, and a trainee's phone opens it."""
from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEMO_PASSWORD, sign_in_as

pytestmark = pytest.mark.browser


def test_roll_call_on_a_phone(page: Page, live_server, artifacts, backend):
    token = httpx.post(live_server + "/api/v1/auth/token",
                       data={"username": "organiser", "password": DEMO_PASSWORD}).json()["access_token"]
    org = httpx.Client(base_url=live_server, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    course = next(c for c in org.get("/api/v1/courses").json()["items"]
                  if c["title"] == "Bồi dưỡng kỹ năng thông tin cơ sở năm 2026")
    people = org.get("/api/v1/trainees", params={"curriculum": "CT2", "per_page": 5}).json()["items"][:3]
    nominated = org.post(f"/api/v1/courses/{course['id']}/enrolments/bulk",
                         json={"trainee_ids": [p["id"] for p in people]})
    assert nominated.status_code == 201, nominated.text
    session = org.get(f"/api/v1/courses/{course['id']}/sessions").json()["items"][0]

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_as(page, live_server, "trainer")  # the demo lecturer teaches this course
    page.goto(f"{live_server}/courses/{course['id']}/sessions/{session['id']}/roll-call")
    expect(page.locator("#count-unmarked")).to_have_text("3")
    rows = page.locator(".roll-list li")
    for i in range(3):
        rows.nth(i).locator("button.tap", has_text="Có mặt").click()
        expect(page.locator("#count-present")).to_have_text(str(i + 1))
    rows.nth(1).locator("button.tap", has_text="Vắng có phép").click()
    expect(page.locator("#count-excused")).to_have_text("1")
    rows.nth(2).locator("button.undo").click()
    expect(page.locator("#count-present")).to_have_text("1")
    expect(page.locator("#count-unmarked")).to_have_text("1")
    page.screenshot(path=str(artifacts / f"roll-call-{backend}.png"), full_page=True)
    page.reload()
    expect(page.locator("#count-present")).to_have_text("1")
    expect(page.locator("#count-excused")).to_have_text("1")
    expect(page.locator("#count-unmarked")).to_have_text("1")
    expect(rows.nth(2).locator("button.undo")).to_have_count(0)

    # The QR screen the trainer projects, which reloads its code by itself.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server}/courses/{course['id']}/sessions/{session['id']}/check-in")
    first = page.locator("#qr-code").get_attribute("data-code")
    expect(page.locator("#qr-code svg")).to_be_visible()
    page.screenshot(path=str(artifacts / f"check-in-screen-{backend}.png"), full_page=True)
    expect(page.locator("#qr-code")).not_to_have_attribute("data-code", first, timeout=25_000)  # it rotated

    # A trainee's phone opens the code: the session is next month, so it says when check-in opens.
    code = page.locator("#qr-code").get_attribute("data-code")
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_as(page, live_server, "trainee")
    page.goto(f"{live_server}/check-in/{code}")
    expect(page.locator("#scan-result")).to_contain_text("Chưa đến giờ điểm danh")
    page.screenshot(path=str(artifacts / f"check-in-phone-{backend}.png"), full_page=True)
