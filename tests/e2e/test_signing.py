"""The demo signs, in the browser: an admin sees the demo department's DEMO key; an organiser issues; anyone on a
phone uploads the downloaded certificate to the verify page and reads that the signature is valid, who signed,
when, that the file is unchanged, and that the key is a demo."""
from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from app.demo.courses import FINISHED_TITLE
from tests.e2e.conftest import DEMO_PASSWORD, open_menu, serve_demo, sign_in_as

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(backend, tmp_path_factory):  # noqa: ANN001, ANN201
    with serve_demo(backend, tmp_path_factory.mktemp(f"signing-{backend}")) as base:
        yield base


def test_demo_key_then_issue_then_check_the_signature(page: Page, server, artifacts, backend, tmp_path):  # noqa: ANN001
    sign_in_as(page, server, "admin")
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(server + "/dashboard")
        open_menu(page)  # on a phone the menu is behind one button
        page.click("nav a[href='/signing']")  # admins reach it from the menu
        expect(page.locator("#bodies")).to_contain_text("DEMO")
        page.screenshot(path=str(artifacts / f"signing-bodies-{width}-{backend}.png"), full_page=True)
        page.locator("#bodies a").first.click()
        expect(page.locator("#keys")).to_contain_text("Sở VHTTDL Bắc Ninh (DEMO)")
        expect(page.locator("#keys")).to_contain_text("DEMO — không có giá trị pháp lý")
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # the fingerprint wraps
        page.screenshot(path=str(artifacts / f"signing-keys-{width}-{backend}.png"), full_page=True)

    token = httpx.post(server + "/api/v1/auth/token",
                       data={"username": "organiser", "password": DEMO_PASSWORD}).json()["access_token"]
    org = httpx.Client(base_url=server, headers={"Authorization": f"Bearer {token}"}, timeout=120)
    course = next(c for c in org.get("/api/v1/courses").json()["items"] if c["title"] == FINISHED_TITLE)
    issued = org.post(f"/api/v1/courses/{course['id']}/certificates", json={}).json()["issued"]
    pdf = tmp_path / "gcn.pdf"
    pdf.write_bytes(org.get(f"/api/v1/certificates/{issued[0]['id']}.pdf").content)

    page.context.clear_cookies()  # anyone, not signed in
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{server}/verify/{issued[0]['code']}")
        expect(page.locator("#signed-note")).to_contain_text("Sở VHTTDL Bắc Ninh (DEMO)")
        page.set_input_files("#file-check input[type=file]", str(pdf))
        page.click("#file-check button")
        expect(page.locator("#file-result")).to_contain_text("đúng là tệp đã cấp")
        result = page.locator("#signature-result")
        expect(result).to_contain_text("Chữ ký số hợp lệ; tệp không bị sửa sau khi ký.")
        expect(result).to_contain_text("Năng Lực DEMO CA")
        expect(result).to_contain_text("không có giá trị pháp lý")
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing wider than the phone
        page.screenshot(path=str(artifacts / f"verify-signed-{width}-{backend}.png"), full_page=True)
