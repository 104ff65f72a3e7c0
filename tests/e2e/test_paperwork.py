"""An organiser makes the paperwork of the demo's finished course on the "Giấy tờ" tab, at desktop and phone width:
the form makes the document, the list shows it, the .docx downloads; nothing overflows sideways at 360 px."""
from __future__ import annotations

from io import BytesIO

import httpx
import pytest
from docx import Document
from playwright.sync_api import Page, expect

from app.demo.courses import FINISHED_TITLE
from tests.e2e.conftest import DEMO_PASSWORD, sign_in_as

pytestmark = pytest.mark.browser


def test_documents_tab_on_desktop_and_phone(page: Page, live_server, artifacts, backend, tmp_path):
    token = httpx.post(live_server + "/api/v1/auth/token",
                       data={"username": "organiser", "password": DEMO_PASSWORD}).json()["access_token"]
    org = httpx.Client(base_url=live_server, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    course = next(c for c in org.get("/api/v1/courses").json()["items"] if c["title"] == FINISHED_TITLE)
    made = org.post(f"/api/v1/courses/{course['id']}/documents", json={"kind": "opening_decision"})
    assert made.status_code == 201, made.text

    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in_as(page, live_server, "organiser")
    page.goto(f"{live_server}/courses/{course['id']}/documents")
    expect(page.locator("#tab-documents")).to_have_attribute("aria-current", "page")
    page.locator("#generate-class_list summary").click()
    page.locator("#generate-class_list button[type=submit]").click()
    expect(page.locator("#documents li.document").first).to_contain_text("Danh sách học viên")
    page.screenshot(path=str(artifacts / f"paperwork-tab-1280-{backend}.png"), full_page=True)
    with page.expect_download() as download:
        page.locator("#documents li.document").first.locator("a.download-docx").click()
    path = tmp_path / "list.docx"
    download.value.save_as(path)
    text = "\n".join(c.text for t in Document(path).tables for r in t.rows for c in r.cells)
    assert "Ký tên" in text

    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server}/courses/{course['id']}/documents")
    page.locator("#generate-summons summary").click()
    wide = page.evaluate("document.scrollingElement.scrollWidth")
    assert wide <= 360, f"the page is {wide} px wide at 360"
    page.screenshot(path=str(artifacts / f"paperwork-tab-360-{backend}.png"), full_page=True)
    doc = Document(BytesIO(org.get(f"/api/v1/documents/{made.json()['id']}/file.docx").content))
    assert any("QUYẾT ĐỊNH" in p.text for p in doc.paragraphs)
