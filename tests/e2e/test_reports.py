"""The reports in a browser, on a twentieth of the national dataset: an admin opens the dashboard, filters, drills
down from the country to a province, a commune and a course, and downloads the workbook; an organiser reads their
province's dashboard on a phone. Screenshots at 390 and 1280 px go to test-artifacts/."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.e2e.conftest import _require_browser, serve_demo, sign_in_as

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def national_server(backend: str, tmp_path_factory):  # noqa: ANN001
    """A server of its own (`serve_demo`) with a twentieth of the national dataset instead of the demo province."""
    _require_browser()
    with serve_demo(backend, tmp_path_factory.mktemp(f"reports-{backend}"),
                    demo=("--scale", "national", "--fraction", "0.05")) as base:
        yield base


def _number(text: str) -> int:
    return int(text.replace(".", "").replace(",", "").strip() or 0)


def test_admin_filters_drills_down_and_downloads(page: Page, national_server, artifacts, backend):
    base = national_server
    page.set_viewport_size(DESKTOP)
    sign_in_as(page, base, "admin")
    page.click("nav a:has-text('Báo cáo')")
    expect(page.locator("#report-title")).to_contain_text("Toàn quốc")
    page.select_option("#filter-period", "")  # all time: the filter swaps the report in place
    expect(page.locator("#report-period")).to_contain_text("Toàn bộ thời gian")
    expect(page).to_have_url(f"{base}/reports?place=&period=&curriculum=&target_group=&programme=")
    assert _number(page.locator("#kpi-officials").inner_text()) > 1000
    expect(page.locator("#places tbody tr")).to_have_count(34)
    page.screenshot(path=str(artifacts / f"reports-national-1280-{backend}.png"), full_page=True)

    page.click("#places a:has-text('Tỉnh Bắc Ninh')")
    expect(page.locator("#report-title")).to_contain_text("Tỉnh Bắc Ninh")
    expect(page.locator(".crumbs")).to_contain_text("Toàn quốc")
    expect(page.locator("#places tbody tr")).to_have_count(99)
    page.screenshot(path=str(artifacts / f"reports-province-1280-{backend}.png"), full_page=True)

    # The first commune whose officials attended something.
    rows = page.locator("#places tbody tr")
    commune = next(i for i in range(rows.count()) if _number(rows.nth(i).locator("td").nth(3).inner_text()) > 0)
    name = rows.nth(commune).locator("a").inner_text()
    rows.nth(commune).locator("a").click()
    expect(page.locator("#report-title")).to_contain_text(name)
    expect(page.locator("#places-heading")).to_have_text("Khoá học có cán bộ của đơn vị tham dự")
    page.locator("#places tbody a").first.click()
    expect(page.locator("#kpi-enrolled")).to_be_visible()
    expect(page.locator("#chart-sessions")).to_be_visible()
    page.screenshot(path=str(artifacts / f"reports-course-1280-{backend}.png"), full_page=True)

    page.go_back()
    page.go_back()
    expect(page.locator("#report-title")).to_contain_text("Tỉnh Bắc Ninh")
    with page.expect_download() as download:
        page.click("#download-xlsx")
    wb = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))  # noqa: SIM115
    texts = [c.value for row in wb["Báo cáo"].iter_rows() for c in row if isinstance(c.value, str)]
    assert "TỈNH BẮC NINH" in texts and any(t.startswith("Kỳ báo cáo: Toàn bộ thời gian") for t in texts)


def test_organiser_reads_the_province_on_a_phone(page: Page, national_server, artifacts, backend):
    page.set_viewport_size(PHONE)
    sign_in_as(page, national_server, "organiser")
    page.goto(national_server + "/reports?period=")
    expect(page.locator("#report-title")).to_contain_text("Tỉnh Bắc Ninh")
    expect(page.locator("#chart-curriculum")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the page scrolls sideways on a phone ({width} px)"
    page.screenshot(path=str(artifacts / f"reports-province-390-{backend}.png"), full_page=True)
    # The commune table is wider than the phone: its figures scroll sideways, the commune names stay in view.
    name = page.locator("#places tbody tr").first.locator("td").first
    before = name.bounding_box()
    scrolled = page.evaluate("(() => { const box = document.getElementById('places').parentElement;"
                             " box.scrollLeft = 300; return box.scrollLeft; })()")
    assert scrolled > 0, "the commune table fits the phone: nothing to scroll"
    assert abs(name.bounding_box()["x"] - before["x"]) < 1, "the commune names scrolled out of view"
    page.goto(national_server + "/reports?place=01")
    expect(page.locator("h1")).to_contain_text("Không tìm thấy")
