"""An organiser issues the certificates of a course in the browser; the QR code read off the downloaded PDF opens
the public verify page, which says the certificate is genuine."""
from __future__ import annotations

import shutil
import subprocess

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEMO_PASSWORD, sign_in_as

pytestmark = pytest.mark.browser


def test_issue_then_verify_from_the_qr_code(page: Page, live_server, artifacts, backend, tmp_path):
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        pytest.fail("pdftoppm and zbarimg are needed (apt-get install -y poppler-utils zbar-tools)")
    token = httpx.post(live_server + "/api/v1/auth/token",
                       data={"username": "organiser", "password": DEMO_PASSWORD}).json()["access_token"]
    org = httpx.Client(base_url=live_server, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    course = next(c for c in org.get("/api/v1/courses").json()["items"]
                  if c["title"] == "Bồi dưỡng kỹ năng thông tin cơ sở năm 2026")
    listed = {e["trainee_id"] for e in org.get(f"/api/v1/courses/{course['id']}/enrolments").json()["items"]}
    people = [p for p in org.get("/api/v1/trainees", params={"curriculum": "CT2", "per_page": 30}).json()["items"]
              if p["id"] not in listed][:2]
    nominated = org.post(f"/api/v1/courses/{course['id']}/enrolments/bulk",
                         json={"trainee_ids": [p["id"] for p in people]})
    assert nominated.status_code == 201, nominated.text
    grid = org.get(f"/api/v1/courses/{course['id']}/attendance").json()
    ours = [r["enrolment_id"] for r in grid["rows"] if r["full_name"] in {p["full_name"] for p in people}]
    marks = [{"session_id": s, "enrolment_id": e, "status": "present"} for s in grid["sessions"] for e in ours]
    assert org.post(f"/api/v1/courses/{course['id']}/attendance", json={"marks": marks}).status_code == 200
    assert org.post(f"/api/v1/courses/{course['id']}/completion/record").status_code == 200

    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in_as(page, live_server, "organiser")
    page.goto(f"{live_server}/courses/{course['id']}/certificates")
    expect(page.locator("#waiting-count")).to_have_text("2")
    page.click("#issue-form button")
    expect(page.locator("#certificates tbody tr")).to_have_count(2)
    page.screenshot(path=str(artifacts / f"certificates-tab-{backend}.png"), full_page=True)

    first = page.locator("#certificates tbody tr").first
    with page.expect_download() as download:
        first.locator("a", has_text="Tải").click()
    pdf = tmp_path / "gcn.pdf"
    download.value.save_as(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    shutil.copy(tmp_path / "page.png", artifacts / f"certificate-issued-{backend}.png")
    url = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "page.png")], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert url.startswith(live_server + "/verify/")

    page.context.clear_cookies()  # anyone, not signed in, on a phone
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    expect(page.locator("#verify-result")).to_contain_text("Giấy chứng nhận thật, còn hiệu lực.")
    expect(page.locator("#verify")).to_contain_text(course["title"])
    page.screenshot(path=str(artifacts / f"verify-{backend}.png"), full_page=True)
