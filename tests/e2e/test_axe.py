"""Every page, for every role, has no serious or critical accessibility violation (axe-core, through
axe-playwright-python) and no control a thumb cannot hit (44×44 px), on a 360 px phone where tables and menus are
at their tightest.

"Every page" is found the way a person finds it: from the role's first page, following the links of each page
(one page per address pattern, /courses/1 and /courses/2 being the same page), plus the error pages. The report of
what was checked is written to test-artifacts/axe-<role>.txt. The pages are the same on both databases, so this
runs once, on SQLite.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from tests.e2e.conftest import sign_in_as
from tests.e2e.test_phone import SMALL_TARGETS

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 640}
ROLES = ("anonymous", "trainee", "trainer", "organiser", "admin")
MAX_PAGES = 45  # per role: enough for every kind of page a role reaches
NOT_PAGES = re.compile(r"\.(pdf|xlsx|zip|ics|csv|json|png|svg)$|^/(logout|static|api|openapi|docs)|/download|"
                       r"/export|/versions/\d+$")
EXTRA = {  # pages no link leads to: error pages and the scan of a check-in code
    "anonymous": ["/login?next=/my-courses", "/signup", "/verify/KHONG-CO-MA"],
    "trainee": ["/khong-co-trang-nay", "/users", "/check-in/1.1.AAAAAAAAAAAAAAAA"],
    "trainer": [],
    "organiser": [],
    "admin": [],
}


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def _serious(violations: list[dict]) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] if isinstance(n["target"][0], str)
                                                                   else str(n["target"]) for n in v["nodes"][:4])
            for v in violations if v.get("impact") in ("serious", "critical")]


@pytest.mark.parametrize("role", ROLES)
def test_no_serious_accessibility_violation_nor_small_target_on_any_page(browser: Browser, live_server, artifacts,
                                                                         backend, role):
    if backend != "sqlite":
        pytest.skip("the same pages on both databases: checked once, on SQLite")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    if role == "anonymous":
        queue = ["/login"]
    else:
        sign_in_as(page, live_server, role)
        queue = ["/dashboard"]
    queue += EXTRA[role]
    axe = Axe()
    seen = {_pattern(p) for p in queue}
    checked, problems = [], []
    while queue and len(checked) < MAX_PAGES:
        path = queue.pop(0)
        page.goto(live_server + path)
        page.wait_for_load_state("load")
        found = _serious(axe.run(page).response["violations"])
        found += [f"target under 44×44 px: {t}" for t in page.evaluate(SMALL_TARGETS)]
        checked.append(f"{path}: {len(found)} serious or critical")
        problems += [f"{path}: {f}" for f in found]
        for href in page.eval_on_selector_all("a[href^='/']", "els => els.map(e => e.getAttribute('href'))"):
            target = urlsplit(href).path
            if NOT_PAGES.search(target) or _pattern(target) in seen:
                continue
            seen.add(_pattern(target))
            queue.append(target)
    (artifacts / f"axe-{role}.txt").write_text("\n".join(checked + [""] + problems) + "\n")
    assert len(checked) >= 3, checked
    assert not problems, "\n".join(problems)
    context.close()
