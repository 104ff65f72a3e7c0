"""A trainee registers for a full course, is waitlisted with the reason, and moves up when someone withdraws."""
from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect

from app.db import utcnow
from tests.e2e.conftest import DEMO_PASSWORD, sign_in_as

pytestmark = pytest.mark.browser


def _api(base: str, username: str) -> httpx.Client:
    token = httpx.post(base + "/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD}
                       ).json()["access_token"]
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def _one_seat_course(org: httpx.Client) -> dict:
    """An open CT2 course with a single seat, planned through the API as a province would script it."""
    course = org.post("/api/v1/courses", json={"curriculum": "CT2", "title": "Lớp một chỗ"}).json()
    start = utcnow().date() + timedelta(days=40)
    org.patch(f"/api/v1/courses/{course['id']}", json={
        "capacity": 1, "start_date": str(start), "end_date": str(start + timedelta(days=3)),
        "registration_opens": str(utcnow().date()), "registration_closes": str(start - timedelta(days=2)),
        "venue": "Hội trường xã Tân Dĩnh", "places": ["24"]}).raise_for_status()
    for i, module in enumerate(course["modules"]):
        org.post(f"/api/v1/courses/{course['id']}/sessions", json={
            "session_date": str(start + timedelta(days=i // 2)), "part_of_day": ["morning", "afternoon"][i % 2],
            "module_ids": [module["id"]], "room": "Phòng 2"}).raise_for_status()
    opened = org.post(f"/api/v1/courses/{course['id']}/transitions", json={"target": "open"})
    assert opened.status_code == 200, opened.text
    return opened.json()


def test_waitlisted_with_reason_then_promoted(page: Page, live_server, artifacts, backend):
    org = _api(live_server, "organiser")
    course = _one_seat_course(org)
    others = org.get("/api/v1/trainees", params={"target_group": "cvh_radio", "per_page": 50}).json()["items"]
    first = next(t for t in others if t["full_name"] != "Nguyễn Thị Hồng Nhung")
    seat = org.post(f"/api/v1/courses/{course['id']}/enrolments", json={"trainee_id": first["id"]})
    assert seat.status_code == 201 and seat.json()["status"] == "confirmed"

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_as(page, live_server, "trainee")
    page.goto(live_server + "/my-courses")
    page.click(f"#register-{course['id']}")
    expect(page.locator("#toasts")).to_contain_text("Danh sách chờ")
    status = page.locator(f"#status-{course['id']}")
    expect(status).to_contain_text("vị trí 1")
    expect(page.locator("#mine")).to_contain_text("Khoá học đã đủ 1 chỗ")
    expect(page.locator("#mine")).to_contain_text("Ưu tiên 1")
    page.screenshot(path=str(artifacts / f"waitlisted-{backend}.png"), full_page=True)

    withdrawn = org.post(f"/api/v1/enrolments/{seat.json()['id']}/withdraw", json={"reason": "Ốm"})
    assert withdrawn.status_code == 200
    page.reload()
    expect(status).to_contain_text("Đã xác nhận")
    expect(page.locator("#mine")).to_contain_text("có người rút")
    page.goto(live_server + "/notifications")
    expect(page.locator("#notifications")).to_contain_text(course["code"])
    page.screenshot(path=str(artifacts / f"promoted-{backend}.png"), full_page=True)
    assert re.match(r"CT2-\d{4}-24-\d{3}", course["code"])
