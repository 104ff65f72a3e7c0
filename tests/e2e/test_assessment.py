"""A trainee takes a course test on a phone and loses the connection half way: the answers given offline are kept
on the phone, sent when the connection is back, and the test is handed in with every answer. Then the anonymous
evaluation, and the organiser's tab."""
from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.assessment.test_service import GIFT
from tests.e2e.conftest import sign_in_as
from tests.e2e.test_materials import DESKTOP, _api

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 640}


def _open_course(org: httpx.Client) -> dict:
    """An open CT2 course of its own: its own dates and room, so that no other browser test's course clashes."""
    from datetime import timedelta

    from app.db import utcnow

    course = org.post("/api/v1/courses", json={"curriculum": "CT2", "title": "Lớp kiểm tra trên điện thoại"}).json()
    start = utcnow().date() + timedelta(days=75)
    org.patch(f"/api/v1/courses/{course['id']}", json={
        "capacity": 30, "start_date": str(start), "end_date": str(start + timedelta(days=3)),
        "registration_opens": str(utcnow().date()), "registration_closes": str(start - timedelta(days=2)),
        "venue": "Nhà văn hoá thôn Đông", "places": ["24"]}).raise_for_status()
    for i, module in enumerate(course["modules"]):
        org.post(f"/api/v1/courses/{course['id']}/sessions", json={
            "session_date": str(start + timedelta(days=i // 2)), "part_of_day": ["morning", "afternoon"][i % 2],
            "module_ids": [module["id"]], "room": "Phòng kiểm tra"}).raise_for_status()
    opened = org.post(f"/api/v1/courses/{course['id']}/transitions", json={"target": "open"})
    assert opened.status_code == 200, opened.text
    return opened.json()


def _saved(trainee: httpx.Client, attempt_id: int) -> list:
    return trainee.get(f"/api/v1/attempts/{attempt_id}").json()["answers"]


def test_a_test_on_a_phone_survives_a_dropped_connection(page: Page, browser: Browser, live_server, artifacts,
                                                         backend):
    org = _api(live_server, "organiser")
    course = _open_course(org)
    trainee = _api(live_server, "trainee")
    assert trainee.post(f"/api/v1/courses/{course['id']}/enrolments", json={}).json()["status"] == "confirmed"
    bank = org.post("/api/v1/question-banks", json={"title": "CT2 – kiểm tra", "curriculum": "CT2"}).json()
    assert org.post(f"/api/v1/question-banks/{bank['id']}/import",
                    json={"format": "gift", "text": GIFT}).status_code == 201
    ids = [q["id"] for q in org.get(f"/api/v1/question-banks/{bank['id']}").json()["questions"]]
    created = org.post(f"/api/v1/courses/{course['id']}/tests", json={
        "kind": "post", "question_ids": ids, "time_limit_minutes": 30, "show_after": "answers"})
    assert created.status_code == 201, created.text

    page.set_viewport_size(PHONE)
    sign_in_as(page, live_server, "trainee")
    page.goto(f"{live_server}/courses/{course['id']}/tests")
    page.get_by_role("button", name="Làm bài").click()
    expect(page.locator("#attempt")).to_be_visible()
    attempt_id = int(page.url.rstrip("/").split("/")[-1])
    status = page.locator("#save-status")

    page.get_by_label("Bộ Văn hóa, Thể thao và Du lịch").check()
    expect(status).to_have_text("Đã lưu")
    page.context.set_offline(True)
    page.locator("#q1").get_by_label("Đúng").check()
    page.locator("#q2 input").fill("TTCS")
    page.locator("#q2 input").blur()
    expect(status).to_contain_text("Chưa gửi được")
    page.screenshot(path=str(artifacts / f"test-offline-{backend}-360.png"), full_page=True)
    assert _saved(trainee, attempt_id)[1:3] == [None, None]  # the server has not seen them
    page.context.set_offline(False)
    expect(status).to_have_text("Đã lưu", timeout=10_000)
    assert _saved(trainee, attempt_id)[:3] == [1, True, "TTCS"]

    # offline again: the answer waits in the phone's storage, then reaches the server when the connection is back,
    # and a reload shows it
    page.context.set_offline(True)
    page.locator("#q3").get_by_label("Phát tin của xã").check()
    page.locator("#q3").get_by_label("Tiếp âm đài tỉnh").check()
    expect(status).to_contain_text("Chưa gửi được")
    kept = page.evaluate(f"JSON.parse(localStorage.getItem('nl-attempt-{attempt_id}'))")
    assert kept == {"3": [0, 1]}
    page.context.set_offline(False)
    for _ in range(50):
        if _saved(trainee, attempt_id) == [1, True, "TTCS", [0, 1]]:
            break
        page.wait_for_timeout(200)
    assert _saved(trainee, attempt_id) == [1, True, "TTCS", [0, 1]]
    page.reload()
    expect(page.locator("#q3").get_by_label("Tiếp âm đài tỉnh")).to_be_checked()

    page.get_by_role("button", name="Nộp bài").click()
    expect(page.locator("#score")).to_contain_text("100%")
    page.screenshot(path=str(artifacts / f"test-done-{backend}-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.goto(f"{live_server}/courses/{course['id']}/tests")
    page.get_by_role("button", name="Đánh giá khoá học").click()
    page.locator("fieldset.likert").first.get_by_label("5").check()
    page.get_by_label("Ý kiến khác").fill("Cần thêm giờ thực hành")
    page.screenshot(path=str(artifacts / f"evaluation-{backend}-360.png"), full_page=True)
    page.get_by_role("button", name="Gửi phiếu").click()
    expect(page.locator("#evaluated")).to_be_visible()

    staff = browser.new_page(viewport=DESKTOP)
    sign_in_as(staff, live_server, "organiser")
    staff.goto(f"{live_server}/courses/{course['id']}/tests")
    expect(staff.locator("#scores")).to_contain_text("100%")
    staff.screenshot(path=str(artifacts / f"tests-tab-{backend}-1280.png"), full_page=True)
    staff.goto(f"{live_server}/courses/{course['id']}/evaluation")
    expect(staff.locator("#hidden-results")).to_be_visible()  # one response: nothing shown
    staff.close()
