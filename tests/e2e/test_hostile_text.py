"""HTML and script typed into every free-text field is shown as text, and no page needs inline script or style.

Through the API, an organiser puts `<img src=x onerror=alert()>`, `<script>`, `"><svg onload=…>` and `{{7*7}}` into
a course's title, venue, organiser and signer, a local module and topic, a lecturer, a session's room and notes, a
budget line, a trainee's name, an account's name, a material's title and description, a roll-call note, a
revocation reason and a cancellation reason. Then the browser opens every page where they appear, twice:

1. with the Content-Security-Policy switched off (Playwright's bypass_csp): no dialog opens and none of the
   injected elements exists, so escaping alone holds;
2. with the policy on: the console reports no CSP violation on any page, so no template relies on inline script,
   inline style or event attributes.
"""
from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from app.db import utcnow
from app.demo.courses import DEMO_TITLE
from tests.e2e.conftest import DEMO_PASSWORD, _require_browser, serve_demo, sign_in_as
from tests.materials import files
from tests.people.factories import person

pytestmark = pytest.mark.browser

X = "<img src=x onerror=alert('img')><script>alert('script')</script>\"><svg onload=alert('svg')>{{7*7}}"
SHOWN = "<script>alert('script')</script>"  # the part of X a careless template would most surely run


def _api(base: str, username: str, password: str = DEMO_PASSWORD) -> httpx.Client:
    token = httpx.post(base + "/api/v1/auth/token", data={"username": username, "password": password}
                       ).json()["access_token"]
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def _ok(response: httpx.Response) -> dict:
    assert response.status_code < 300, (response.request.method, response.request.url, response.text[:300])
    return response.json() if response.content else {}


def _plant(base: str) -> dict:
    """Hostile text in every free-text field an organiser can fill; returns the ids of what was made."""
    org = _api(base, "organiser")
    course = _ok(org.post("/api/v1/courses", json={"curriculum": "CT2", "title": "Lớp " + X}))
    cid = course["id"]
    start = utcnow().date() + timedelta(days=30)
    _ok(org.patch(f"/api/v1/courses/{cid}", json={
        "venue": "Hội trường " + X, "organising_body": "Sở " + X, "signer_title": "GĐ " + X, "signer_name": "Ký " + X,
        "capacity": 20, "start_date": str(start), "end_date": str(start), "places": ["24"],
        "registration_opens": str(utcnow().date()), "registration_closes": str(start - timedelta(days=2))}))
    module = _ok(org.post(f"/api/v1/courses/{cid}/modules", json={"title": "Chuyên đề " + X, "theory_hours": 2}))
    _ok(org.post(f"/api/v1/courses/{cid}/modules/{module['id']}/topics", json={"title": "Nội dung " + X}))
    lecturer = _ok(org.post("/api/v1/lecturers", json={"full_name": "GV " + X, "title": "ThS. " + X,
                                                        "organisation": "Trường " + X}))
    session = _ok(org.post(f"/api/v1/courses/{cid}/sessions", json={
        "session_date": str(start), "part_of_day": "morning", "module_ids": [module["id"]],
        "lecturer_id": lecturer["id"], "room": "Phòng " + X, "topics_note": "Ghi chú " + X}))
    link = org.post(f"/api/v1/courses/{cid}/sessions", json={
        "session_date": str(start), "part_of_day": "afternoon", "module_ids": [module["id"]],
        "online_link": "javascript:alert('link')"})
    assert link.status_code == 422 and link.json()["code"] == "link_invalid"  # a link is http(s) or nothing
    _ok(org.post(f"/api/v1/courses/{cid}/budget", json={"category": "hall", "description": "Thuê " + X,
                                                         "planned_amount": 1000000, "funding_source": "local"}))
    material = _ok(org.post("/api/v1/materials", data={"course_id": str(cid), "title": "Tài liệu " + X,
                                                       "description": "Mô tả " + X},
                            files=[("files", ("bai-giang.pdf", files.pdf(), "application/pdf"))]))["items"][0]
    cancelled = _ok(org.post("/api/v1/courses", json={"curriculum": "CT2", "title": "Lớp huỷ " + X}))
    _ok(org.post(f"/api/v1/courses/{cancelled['id']}/transitions", json={"target": "cancelled", "reason": "Vì " + X}))

    row = person(77)
    birth = "-".join(reversed(row["Ngày sinh"].split("/")))
    trainee = _ok(org.post("/api/v1/trainees", json={
        "full_name": "Nguyễn " + X, "sex": row["Giới tính"], "birth_date": birth, "ethnicity": "Kinh",
        "citizen_id": row["Số CCCD"], "position": row["Chức danh"], "organisation_type": row["Loại tổ chức"],
        "commune": "07432"}))
    open_course = next(c for c in _ok(org.get("/api/v1/courses"))["items"] if c["title"] == DEMO_TITLE)
    enrolment = _ok(org.post(f"/api/v1/courses/{open_course['id']}/enrolments", json={"trainee_id": trainee["id"]}))
    _ok(org.post("/api/v1/users", json={"username": "hv-hostile", "password": "Mot-mat-khau-dai-1",
                                        "full_name": "Học viên " + X, "role": "trainee", "unit": "07432"}))

    finished = next(c for c in _ok(org.get("/api/v1/courses"))["items"] if c["status"] == "finished")
    grid = _ok(org.get(f"/api/v1/courses/{finished['id']}/attendance"))
    _ok(org.post(f"/api/v1/courses/{finished['id']}/attendance", json={"marks": [
        {"session_id": grid["sessions"][0], "enrolment_id": grid["rows"][0]["enrolment_id"], "status": "excused",
         "note": "Ốm " + X}]}))
    _ok(org.post(f"/api/v1/courses/{finished['id']}/certificates", json={}))
    certificate = _ok(org.get(f"/api/v1/courses/{finished['id']}/certificates"))[0]
    _ok(org.post(f"/api/v1/certificates/{certificate['id']}/revoke", json={"reason": "Sai tên " + X,
                                                                           "public_note": "Sai tên " + X}))
    return {"course": cid, "session": session["id"], "material": material["id"], "trainee": trainee["id"],
            "enrolment": enrolment["id"], "open_course": open_course["id"], "finished": finished["id"],
            "cancelled": cancelled["id"], "code": certificate["code"]}


@pytest.fixture(scope="module")
def hostile_server(backend, tmp_path_factory):  # noqa: ANN001
    """A demo server of its own: this module changes the demo's data more than other browser tests expect."""
    _require_browser()
    with serve_demo(backend, tmp_path_factory.mktemp(f"hostile-{backend}")) as base:
        yield base


@pytest.fixture(scope="module")
def planted(hostile_server) -> dict:  # noqa: ANN001
    return _plant(hostile_server)


def _organiser_pages(ids: dict) -> list[str]:
    c = ids["course"]
    return ["/dashboard", "/courses", f"/courses/{c}", f"/courses/{c}/edit", f"/courses/{c}/sessions",
            f"/courses/{c}/budget", f"/courses/{c}/materials", f"/materials/{ids['material']}", "/lecturers",
            f"/courses/{ids['cancelled']}", "/trainees", f"/trainees/{ids['trainee']}",
            f"/trainees/{ids['trainee']}/edit", f"/courses/{ids['open_course']}/enrolments",
            f"/courses/{ids['open_course']}/attendance", f"/courses/{ids['finished']}/attendance",
            f"/courses/{ids['finished']}/certificates", "/users", "/calendar", "/notifications"]


class Watch:
    """Dialogs opened, console errors and uncaught page errors, for the pages a page object visits."""

    def __init__(self, page: Page) -> None:
        self.dialogs: list[str] = []
        self.console: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console.append(str(e)))

    def csp_violations(self) -> list[str]:
        return [m for m in self.console if "Content Security Policy" in m or "Refused to" in m]


def _visit(page: Page, base: str, path: str) -> None:
    response = page.goto(base + path)
    assert response is not None and response.status < 400, (path, response.status if response else None)
    assert page.locator("img[src='x']").count() == 0, path
    assert page.locator("svg[onload]").count() == 0, path
    assert page.locator("script:not([src])").count() == 0, path


def test_hostile_text_is_shown_as_text_even_without_the_csp(browser: Browser, hostile_server, planted, artifacts,
                                                             backend):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = Watch(page)
    sign_in_as(page, hostile_server, "organiser")
    for path in _organiser_pages(planted):
        _visit(page, hostile_server, path)
    page.goto(f"{hostile_server}/courses/{planted['course']}")
    expect(page.locator("main")).to_contain_text(SHOWN)
    expect(page.locator("h1")).to_contain_text("{{7*7}}")  # shown as typed: no template runs on data
    page.screenshot(path=str(artifacts / f"hostile-course-{backend}.png"), full_page=True)
    page.goto(f"{hostile_server}/courses/{planted['open_course']}/enrolments")
    expect(page.locator("main")).to_contain_text("Nguyễn " + X)
    page.goto(f"{hostile_server}/trainees")
    page.fill("input[type=search]", "Nguyễn <img")  # the list answers by HTMX: fragments are escaped too
    expect(page.locator("main")).to_contain_text(SHOWN)
    page.screenshot(path=str(artifacts / f"hostile-trainees-{backend}.png"), full_page=True)

    page.context.clear_cookies()
    page.goto(hostile_server + "/login")
    page.fill("input[name=username]", "hv-hostile")
    page.fill("input[name=password]", "Mot-mat-khau-dai-1")
    page.click("button[type=submit]:has-text('Đăng nhập')")
    expect(page.locator("h1")).to_contain_text(SHOWN)  # "Xin chào <name>"
    _visit(page, hostile_server, "/dashboard")
    page.context.clear_cookies()
    _visit(page, hostile_server, f"/verify/{planted['code']}")  # public: the public revocation text is shown
    expect(page.locator("main")).to_contain_text("Sai tên " + X)
    page.screenshot(path=str(artifacts / f"hostile-verify-{backend}.png"), full_page=True)
    context.close()
    assert watch.dialogs == [], watch.dialogs


def test_no_page_breaks_the_content_security_policy(page: Page, hostile_server, planted):
    watch = Watch(page)
    sign_in_as(page, hostile_server, "organiser")
    # First, that the watch sees a violation: an inline script added to the page is refused and reported.
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
                  " document.body.appendChild(s); }")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.ran") is None
    assert watch.csp_violations(), watch.console
    watch.console.clear()
    for path in [*_organiser_pages(planted), f"/courses/{planted['finished']}/sessions",
                 f"/courses/{planted['open_course']}/sessions", "/curricula", "/curricula/CT2", "/places", "/docs"]:
        _visit(page, hostile_server, path)
    page.goto(f"{hostile_server}/trainees")
    page.fill("input[type=search]", "Nguyễn")
    expect(page.locator("main")).to_contain_text("Nguyễn")
    page.context.clear_cookies()
    for path in ["/login", "/signup", f"/verify/{planted['code']}"]:
        _visit(page, hostile_server, path)
    assert watch.dialogs == []
    assert watch.csp_violations() == [], watch.csp_violations()
    assert watch.console == [], watch.console
