"""An organiser uploads two files to a course from the browser; a confirmed trainee finds them on a phone and
downloads one with its Vietnamese name."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from app.db import utcnow
from tests.e2e.conftest import DEMO_PASSWORD, open_menu, sign_in_as
from tests.materials import files

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _api(base: str, username: str) -> httpx.Client:
    token = httpx.post(base + "/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD}
                       ).json()["access_token"]
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def _open_course(org: httpx.Client) -> dict:
    course = org.post("/api/v1/courses", json={"curriculum": "CT2", "title": "Lớp tài liệu thử"}).json()
    start = utcnow().date() + timedelta(days=45)
    org.patch(f"/api/v1/courses/{course['id']}", json={
        "capacity": 30, "start_date": str(start), "end_date": str(start + timedelta(days=3)),
        "registration_opens": str(utcnow().date()), "registration_closes": str(start - timedelta(days=2)),
        "venue": "Hội trường xã Tân Dĩnh", "places": ["24"]}).raise_for_status()
    for i, module in enumerate(course["modules"]):
        org.post(f"/api/v1/courses/{course['id']}/sessions", json={
            "session_date": str(start + timedelta(days=i // 2)), "part_of_day": ["morning", "afternoon"][i % 2],
            "module_ids": [module["id"]], "room": "Phòng 1"}).raise_for_status()
    opened = org.post(f"/api/v1/courses/{course['id']}/transitions", json={"target": "open"})
    assert opened.status_code == 200, opened.text
    return opened.json()


def test_upload_two_files_then_a_trainee_downloads_one(page: Page, browser: Browser, live_server, artifacts,
                                                       backend):
    org = _api(live_server, "organiser")
    course = _open_course(org)
    seat = _api(live_server, "trainee").post(f"/api/v1/courses/{course['id']}/enrolments", json={})
    assert seat.status_code == 201 and seat.json()["status"] == "confirmed", seat.text
    pdf_name = "Bài giảng Kỹ năng sản xuất chương trình phát thanh.pdf"
    module = course["modules"][3]

    page.set_viewport_size(DESKTOP)
    sign_in_as(page, live_server, "organiser")
    page.goto(f"{live_server}/courses/{course['id']}/materials")
    expect(page.locator("#upload")).to_have_attribute("open", "")  # no materials yet: the form is open
    page.set_input_files("#upload-files", [
        {"name": pdf_name, "mimeType": "application/pdf", "buffer": files.pdf()},
        {"name": "Chương trình phát thanh mẫu.mp3", "mimeType": "audio/mpeg", "buffer": files.mp3(frames=2500)}])
    expect(page.locator(".chosen li")).to_have_count(2)
    page.select_option("#upload-module", str(module["id"]))
    page.fill("textarea[name=description]", "Dùng cho buổi thực hành sản xuất chương trình")
    page.screenshot(path=str(artifacts / f"materials-upload-form-1280-{backend}.png"), full_page=True)
    # A slow commune connection (256 KB/s up), so that the progress bar can be seen moving.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 100, "downloadThroughput": -1,
                                                  "uploadThroughput": 256 * 1024})
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/materials")) as sent:
        page.click("#upload-submit")
        expect(page.locator(".upload-status")).to_contain_text("Đang gửi")
        expect(page.locator("#upload-submit")).to_be_disabled()
        page.wait_for_function("document.querySelector('.upload-form progress').value > 0")
        page.screenshot(path=str(artifacts / f"materials-progress-1280-{backend}.png"))
    assert sent.value.headers.get("x-csrf-token"), "the script sent it, with the token in a header"
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                  "uploadThroughput": -1})
    expect(page.locator("#toasts")).to_contain_text("Đã tải lên 2 tài liệu.")
    group = page.locator(f"#group-{module['code']}")
    expect(group.locator(".material")).to_have_count(2)
    expect(group).to_contain_text("Bài giảng Kỹ năng sản xuất chương trình phát thanh")
    expect(group.locator("audio")).to_have_count(1)
    page.screenshot(path=str(artifacts / f"materials-course-organiser-1280-{backend}.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(artifacts / f"materials-course-organiser-390-{backend}.png"), full_page=True)

    # A refused file: the reason appears in the form, nothing is stored.
    page.set_viewport_size(DESKTOP)
    page.click("#upload summary")
    page.set_input_files("#upload-files", [{"name": "de-cuong.pdf", "mimeType": "application/pdf",
                                            "buffer": files.exe_with_pdf_header()}])
    page.click("#upload-submit")
    expect(page.locator("#upload-error")).to_contain_text("chương trình chạy được")
    expect(group.locator(".material")).to_have_count(2)
    page.screenshot(path=str(artifacts / f"materials-refused-1280-{backend}.png"), full_page=True)

    # The confirmed trainee, on a phone.
    phone = browser.new_context(viewport=PHONE, accept_downloads=True)
    trainee = phone.new_page()
    sign_in_as(trainee, live_server, "trainee")
    open_menu(trainee)  # on a phone the menu is behind one button
    trainee.click("#site-menu a[href='/my-materials']")
    mine = trainee.locator(f"#my-course-{course['id']}")
    expect(mine.locator(".material")).to_have_count(2)
    trainee.screenshot(path=str(artifacts / f"materials-mine-390-{backend}.png"), full_page=True)
    link = mine.locator(".material", has_text="Kỹ năng sản xuất").locator("a.download")
    with trainee.expect_download() as caught:
        link.click()
    download = caught.value
    assert download.suggested_filename == pdf_name
    assert Path(download.path()).read_bytes() == files.pdf()
    trainee.goto(f"{live_server}/courses/{course['id']}/materials")
    expect(trainee.locator("#tab-materials")).to_have_attribute("aria-current", "page")
    trainee.set_viewport_size(DESKTOP)
    trainee.screenshot(path=str(artifacts / f"materials-course-trainee-1280-{backend}.png"), full_page=True)
    phone.close()

    # Counted once for the organiser, on the material's own page.
    page.goto(f"{live_server}/courses/{course['id']}/materials")
    pdf_item = page.locator(".material", has_text="Kỹ năng sản xuất")
    expect(pdf_item.locator("small[id^=count-]")).to_have_text(re.compile(r"^1 lượt tải$"))
    pdf_item.locator("a.manage").click()
    expect(page.locator("#download-count")).to_contain_text("1")
    page.screenshot(path=str(artifacts / f"materials-detail-1280-{backend}.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/curricula/CT2/materials")
    expect(page.locator(f"#group-{module['code']}")).to_be_visible()
    page.screenshot(path=str(artifacts / f"materials-curriculum-390-{backend}.png"), full_page=True)
