"""An organiser issues the certificates of the demo's finished course in the browser; the QR code read off the
downloaded PDF opens the public verify page, which says the certificate is genuine."""
from __future__ import annotations

import shutil
import subprocess

import httpx
import pytest
from playwright.sync_api import Page, expect

from app.demo.courses import FINISHED_TITLE
from tests.e2e.conftest import DEMO_PASSWORD, sign_in_as

pytestmark = pytest.mark.browser


def test_issue_then_verify_from_the_qr_code(page: Page, live_server, artifacts, backend, tmp_path):
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        pytest.fail("pdftoppm and zbarimg are needed (apt-get install -y poppler-utils zbar-tools)")
    token = httpx.post(live_server + "/api/v1/auth/token",
                       data={"username": "organiser", "password": DEMO_PASSWORD}).json()["access_token"]
    org = httpx.Client(base_url=live_server, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    course = next(c for c in org.get("/api/v1/courses").json()["items"]
                  if c["title"] == FINISHED_TITLE)  # the demo's course that has run
    completed = [r for r in org.get(f"/api/v1/courses/{course['id']}/completion").json()
                 if r["status"] == "completed"]
    assert len(completed) >= 2

    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in_as(page, live_server, "organiser")
    page.goto(f"{live_server}/courses/{course['id']}/certificates")
    expect(page.locator("#waiting-count")).to_have_text(str(len(completed)))
    page.click("#issue-form button")
    expect(page.locator("#certificates tbody tr")).to_have_count(len(completed))
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
