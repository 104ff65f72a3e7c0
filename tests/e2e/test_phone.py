"""A trainee's phone is the front door (issue #18), at 360×640 in Chromium:

- the journey from the sign-in page to the certificate with no address typed but the first, signing in and
  registering by keyboard only; at every step nothing is wider than the phone, every control is at least 44×44 px,
  and a screenshot is kept (test-artifacts/phone-*.png);
- the roll call keeps keyboard focus on the person's row after each mark (the HTMX swap);
- the bytes a trainee page costs, measured by the browser: under 60 KB on a first visit, under 10 KB the next time.

One server for the module (it issues the finished course's certificates, so it does not share the suite's).
"""
from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from app.demo.courses import DEMO_TITLE, FINISHED_TITLE
from tests.e2e.conftest import DEMO_PASSWORD, _require_browser, serve_demo, sign_in_as

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 640}
FIRST_LOAD_BUDGET = 60_000
NEXT_LOAD_BUDGET = 10_000

# Controls a thumb must hit: each visible one at least 44×44 CSS px (inline links in running text are exempt).
SMALL_TARGETS = """() => {
  const sel = 'button, [role=button], summary, select, input[type=submit], .tabs a, .site-menu .nav-links a, .brand';
  return [...document.querySelectorAll(sel)].filter(e => {
    const r = e.getBoundingClientRect(), st = getComputedStyle(e);
    if (r.width === 0 || r.height === 0 || st.visibility === 'hidden') return false;
    return r.width < 43.5 || r.height < 43.5;
  }).map(e => `${e.tagName.toLowerCase()}#${e.id} "${e.textContent.trim().slice(0, 30)}" ${Math.round(
    e.getBoundingClientRect().width)}×${Math.round(e.getBoundingClientRect().height)}`);
}"""
# A filter's placeholder must fit in its box (a cut hint is no hint).
CUT_PLACEHOLDERS = """() => {
  const ctx = document.createElement('canvas').getContext('2d');
  return [...document.querySelectorAll('form.filters input[placeholder], form.search-form input[placeholder], '
                                       + 'input[type=search][placeholder]')].filter(e => {
    const st = getComputedStyle(e);
    if (e.getBoundingClientRect().width === 0) return false;
    ctx.font = `${st.fontWeight} ${st.fontSize} ${st.fontFamily}`;
    const room = e.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight);
    return ctx.measureText(e.placeholder).width > room + 1;
  }).map(e => e.placeholder);
}"""


@pytest.fixture(scope="module")
def server(backend: str, tmp_path_factory):  # noqa: ANN001
    _require_browser()
    with serve_demo(backend, tmp_path_factory.mktemp(f"phone-{backend}")) as base:
        yield base


def _api(base: str, username: str) -> httpx.Client:
    token = httpx.post(base + "/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD},
                       timeout=30).json()["access_token"]
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def _course(api: httpx.Client, title: str) -> dict:
    return next(c for c in api.get("/api/v1/courses", params={"per_page": 100}).json()["items"] if c["title"] == title)


# The focused control's ring: drawn (outline of at least 2 px) and at least 3:1 against the page behind it.
FOCUS_RING = """() => {
  const e = document.activeElement, st = getComputedStyle(e);
  const rgb = c => (c.match(/[\\d.]+/g) || [0, 0, 0]).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= .03928 ? v / 12.92
                                                          : Math.pow((v + .055) / 1.055, 2.4); });
                     return .2126 * r + .7152 * g + .0722 * b; };
  const page = getComputedStyle(document.body).backgroundColor;
  const [a, b] = [lum(st.outlineColor), lum(page === 'rgba(0, 0, 0, 0)' ? 'rgb(255,255,255)' : page)];
  return {style: st.outlineStyle, width: parseFloat(st.outlineWidth),
          contrast: (Math.max(a, b) + .05) / (Math.min(a, b) + .05)};
}"""


def tab_to(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab until the focus is on `selector`, as a keyboard user would; the focus must be plain to see."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            ring = page.evaluate(FOCUS_RING)
            assert ring["style"] != "none" and ring["width"] >= 2 and 3 <= ring["contrast"] < 21, (selector, ring)
            return
    raise AssertionError(f"Tab never reached {selector}")


def step(page: Page, name: str, artifacts, backend: str) -> None:  # noqa: ANN001
    """What every step of the journey must hold on a phone, and its screenshot."""
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{name}: wider than the phone"
    assert page.evaluate(SMALL_TARGETS) == [], f"{name}: controls smaller than 44×44 px"
    assert page.evaluate(CUT_PLACEHOLDERS) == [], f"{name}: placeholders cut"
    page.screenshot(path=str(artifacts / f"phone-{name}-{backend}.png"), full_page=True)


def open_menu_and_go(page: Page, label: str) -> None:
    page.click("#site-menu > summary")
    expect(page.locator("#site-menu .nav-links")).to_be_visible()
    page.locator("#site-menu .nav-links a", has_text=re.compile(f"^{label}$")).click()


def test_from_the_sign_in_page_to_the_certificate_on_a_phone(browser: Browser, server, artifacts, backend):
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    page.goto(server + "/login")  # the only address typed: the rest is followed
    step(page, "01-sign-in", artifacts, backend)

    # Sign in with the keyboard alone.
    tab_to(page, "input[name=username]")
    page.keyboard.type("trainee")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    home = page.locator("#home")
    expect(home).to_be_visible()
    expect(page.locator("#next-session")).to_contain_text("chưa có buổi học nào sắp tới")
    expect(page.locator("#home-open")).to_contain_text(DEMO_TITLE)
    expect(page.locator("#home-certificates")).to_contain_text("giấy chứng nhận đang chờ cấp")  # completed, not yet
    expect(page.locator("body")).not_to_contain_text("3.321")
    step(page, "02-home", artifacts, backend)

    # The skip link is the first stop and takes the keyboard past the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    expect(page.locator(".skip-link")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # The course page, then register on it with the keyboard.
    link = page.locator("#home-open a", has_text=DEMO_TITLE)
    href = link.get_attribute("href")
    tab_to(page, f"#home-open a[href='{href}']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    expect(page.locator("#registration #register")).to_be_visible()
    step(page, "03-course", artifacts, backend)
    tab_to(page, "#register")
    page.keyboard.press("Enter")
    expect(page.locator("#toasts")).to_contain_text("Đã đăng ký: Đã xác nhận")
    step(page, "04-registered", artifacts, backend)

    # Home again through the menu: the next session with its day, time and place.
    open_menu_and_go(page, "Tổng quan")
    nxt = page.locator("#next-session")
    expect(nxt).to_contain_text(DEMO_TITLE)
    expect(nxt).to_contain_text("07:30–11:30")
    expect(nxt).to_contain_text("Hội trường A")
    step(page, "05-home-next-session", artifacts, backend)
    page.click("#site-menu > summary")
    step(page, "06-menu", artifacts, backend)
    page.click("#site-menu > summary")

    # The organiser issues the finished course's certificates (the trainee completed it).
    org = _api(server, "organiser")
    finished = _course(org, FINISHED_TITLE)
    issued = org.post(f"/api/v1/courses/{finished['id']}/certificates", json={})
    assert issued.status_code == 200, issued.text
    assert issued.json()["issued"]

    # The notice says where the certificate is, and its link goes there.
    open_menu_and_go(page, "Thông báo")
    notice = page.locator("#notifications li", has_text="Đã cấp giấy chứng nhận")
    expect(notice).to_contain_text("“Chứng nhận”")
    step(page, "07-notifications", artifacts, backend)
    notice.locator("a").click()
    expect(page).to_have_url(re.compile(r"/my-certificates$"))
    button = page.locator("#my-certificates a[role=button]", has_text="Tải giấy chứng nhận")
    expect(button).to_be_visible()
    step(page, "08-certificates", artifacts, backend)
    with page.expect_download() as download:
        button.click()
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"

    # And the home shows it too.
    open_menu_and_go(page, "Tổng quan")
    expect(page.locator("#home-certificates a[role=button]")).to_have_count(1)
    step(page, "09-home-certificate", artifacts, backend)
    context.close()


def test_the_roll_call_keeps_keyboard_focus_on_the_row(browser: Browser, server, artifacts, backend):
    org = _api(server, "organiser")
    course = _course(org, DEMO_TITLE)
    people = org.get("/api/v1/trainees", params={"curriculum": "CT2", "per_page": 5}).json()["items"][:2]
    org.post(f"/api/v1/courses/{course['id']}/enrolments/bulk", json={"trainee_ids": [p["id"] for p in people]})
    session = org.get(f"/api/v1/courses/{course['id']}/sessions").json()["items"][0]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in_as(page, server, "trainer")
    page.goto(f"{server}/courses/{course['id']}/sessions/{session['id']}/roll-call")
    first = page.locator(".roll-list li").first
    row_id = first.get_attribute("id")
    present = first.locator("button.tap", has_text="Có mặt")
    present_id = present.get_attribute("id")
    before = int(page.locator("#count-present").inner_text())
    tab_to(page, f"#{present_id}")
    page.keyboard.press("Enter")
    expect(page.locator("#count-present")).to_have_text(str(before + 1))
    expect(page.locator(f"#{present_id}")).to_have_attribute("aria-pressed", "true")
    page.wait_for_function(f"document.activeElement.id === '{present_id}'", timeout=5000)  # on the button pressed
    page.keyboard.press("Tab")  # the next control in the row, reached from where the focus stayed
    tab_to(page, f"#{row_id} button.undo", limit=8)
    page.keyboard.press("Enter")
    expect(page.locator("#count-present")).to_have_text(str(before))
    # after the undo (its button is gone) the focus stays in the person's row, not on the page's body
    page.wait_for_function(f"document.getElementById('{row_id}').contains(document.activeElement)", timeout=5000)
    step(page, "10-roll-call", artifacts, backend)
    context.close()


TRAINEE_PAGES = ("/dashboard", "/my-courses", "/my-certificates", "/my-materials", "/notifications", "/courses",
                 "/me")


def test_a_trainee_page_is_light_on_first_load_and_lighter_after(browser: Browser, server, artifacts, backend):
    """Bytes on the wire (compressed bodies and headers) as Chromium's network layer counts them."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in_as(page, server, "trainee")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    received: dict[str, float] = {}
    cdp.on("Network.loadingFinished", lambda e: received.__setitem__(e["requestId"], e["encodedDataLength"]))
    figures = []
    for path in TRAINEE_PAGES:
        cdp.send("Network.clearBrowserCache")
        received.clear()
        page.goto(server + path)
        page.wait_for_load_state("networkidle")
        first = sum(received.values())
        received.clear()
        page.goto(server + path)  # the next visit: static files come from the cache without asking
        page.wait_for_load_state("networkidle")
        second = sum(received.values())
        figures.append(f"{path}: first {first / 1000:.1f} KB, next {second / 1000:.1f} KB")
        assert first < FIRST_LOAD_BUDGET, figures[-1]
        assert second < NEXT_LOAD_BUDGET, figures[-1]
    (artifacts / f"phone-bytes-{backend}.txt").write_text("\n".join(figures) + "\n")
    print("\n".join(figures))  # noqa: T201 - the figures, for the log
    context.close()
