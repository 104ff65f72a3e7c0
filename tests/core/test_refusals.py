"""A refused action changes nothing, on pages as in the API.

Two guards make "a page catches a domain error and answers anyway, and the request commits half an action" impossible
to land:

- **No page catches a refusal itself** (`test_no_page_catches_a_refusal_itself`): a page module that catches a
  `DomainError` (or any subclass) outside `app.web.form_action` fails, unless `CATCHES` below names it with its
  reason. `form_action` rolls back everything the request wrote before the page answers.
- **Every refusable page form, refused, leaves the database as it was** (`test_a_refused_form_changes_nothing`):
  each POST page route is in `CASES` (a request that is refused; the test compares a fingerprint of every table,
  row count and a hash of every row, before and after) or in `RAISES_ONLY` (it catches nothing: a refusal raises and
  the request boundary rolls back, `app/db.py`) or `NOT_HERE` with a reason. A route that uses `form_action` must
  be in `CASES`.
"""
from __future__ import annotations

import ast
import hashlib
import inspect
from pathlib import Path

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import select

from app.db import Base
from app.errors import DomainError
from app.main import create_app
from app.web import _flash_signer
from tests.attendance.conftest import course_with_class  # noqa: F401 - a fixture, shared
from tests.certificates.test_issue import finished  # noqa: F401 - a fixture, shared
from tests.helpers import api_token, sign_in

ROOT = Path(__file__).resolve().parents[2]

# Where a page may still catch a refusal itself, each with its reason (the function's qualified name).
CATCHES = {
    "app.signup.pages.signup": "sign-up keeps what it counts per address (throttle), and answers alike whatever "
                               "exists; issue #19 item 2",
    "app.signup.pages.claim": "a claim keeps what it counts per address (throttle); issue #18 item 1",
    "app.assessment.pages._tab": "a read: shows why a trainee not seated cannot take the course's tests",
    "app.certificates.pages.verify": "a read: the per-minute look-up budget it counts must stay counted",
    "app.materials.pages.course_materials": "a read: shows why the materials are hidden inside the course page",
}
# Tables that count or cache, never a record: a refusal may touch them.
UNCOUNTED = frozenset({"audit_event", "sign_in_throttle", "verify_throttle", "auth_session"})

RAISES_ONLY = {  # these catch nothing: a refusal raises, get_db rolls the request back
    ("POST", "/tests/{test_id}/start"),
    ("POST", "/attempts/{attempt_id}/answers/{index}"),
    ("POST", "/attempts/{attempt_id}/submit"),
    ("POST", "/courses/{course_id}/sessions/{session_id}/roll-call"),
    ("POST", "/courses/{course_id}/attendance/import"),
    ("POST", "/courses/{course_id}/enrolments/{enrolment_id}/assessment"),
    ("POST", "/courses/{course_id}/copy"),
    ("POST", "/courses/{course_id}/sessions/{session_id}/delete"),
    ("POST", "/courses/{course_id}/budget/{line_id}/delete"),
    ("POST", "/calendar/links/reset"),
    ("POST", "/courses/{course_id}/enrolments/import"),
    ("POST", "/materials/{material_id}/delete"),
    ("POST", "/media/{media_id}/delete"),
    ("POST", "/trainees/{trainee_id}/confirm"),
    ("POST", "/verify/{code}"),
    ("POST", "/logout"),
    ("POST", "/lang"),
    ("POST", "/notifications/read"),
}
NOT_HERE = {
    ("POST", "/signup"): "sign-up (tests/people, issue #19 item 2)",
    ("POST", "/trainees/import"): "the confirmed import refuses only without the lawful-basis box: "
                                  "test_a_refused_import_changes_nothing",
    ("POST", "/courses/{course_id}/materials"): "uploads: test_a_refused_upload_changes_nothing",
    ("POST", "/curricula/{code}/materials"): "uploads: test_a_refused_upload_changes_nothing",
    ("POST", "/materials/{material_id}/replace"): "uploads: test_a_refused_upload_changes_nothing",
    # Refusals of these are proved to change nothing by their own package's tests (named), not by the fingerprint.
    ("POST", "/tests/{test_id}/paper"): "all or nothing: tests/assessment/test_routes.py (no attempt written)",
    ("POST", "/question-banks/{bank_id}/import"): "all or nothing: tests/assessment/test_routes.py",
    ("POST", "/question-banks/{bank_id}/questions"): "tests/assessment/test_routes.py (refused form, nothing added)",
    ("POST", "/courses/{course_id}/evaluation"): "tests/assessment/test_service.py (one response, none on refusal)",
    ("POST", "/reports/submissions/{submission_id}/amendments"): "tests/reports/test_submissions.py",
    ("POST", "/past-courses"): "tests/history/test_pages.py (a refused step changes nothing)",
    ("POST", "/courses/{course_id}/past/sessions"): "tests/history/test_pages.py",
    ("POST", "/courses/{course_id}/past/participants"): "all or nothing with a preview: tests/history",
    ("POST", "/courses/{course_id}/payment-rates"): "tests/paperwork/test_documents.py (rates from budget lines)",
    ("POST", "/courses/{course_id}/payment-rates/{kind}/delete"): "tests/paperwork",
    ("POST", "/document-templates/{kind}"): "tests/paperwork/test_templates.py (a refused template is not kept)",
    ("POST", "/document-templates/{kind}/reset"): "tests/paperwork/test_pages.py",
    ("POST", "/documents/{document_id}/registration"): "tests/paperwork/test_documents.py refusals",
    ("POST", "/documents/{document_id}/send"): "tests/paperwork/test_documents.py",
    ("POST", "/issuing-bodies"): "tests/issuers/test_bodies.py (refusals, nothing written)",
    ("POST", "/issuing-bodies/{body_id}"): "tests/issuers/test_bodies.py",
    ("POST", "/issuing-bodies/{body_id}/seal"): "tests/issuers/test_bodies.py (seal checks)",
    ("POST", "/issuing-bodies/{body_id}/seal/delete"): "tests/issuers/test_bodies.py",
    ("POST", "/issuers/{body_id}/signing/pkcs12"): "tests/signing/test_keys.py (each refusal writes nothing)",
    ("POST", "/issuers/{body_id}/signing/token"): "tests/signing/test_token.py",
    ("POST", "/signing-keys/{key_id}/retire"): "tests/signing/test_keys.py",
    ("POST", "/claim"): "counts per address on purpose (tests/signup)",
    ("POST", "/signups/{signup_id}/confirm"): "tests/signup",
    ("POST", "/signups/{signup_id}/refuse"): "tests/signup (a refusal needs a reason)",
    ("POST", "/trainees/{trainee_id}/invitation"): "tests/signup",
    ("POST", "/users/{user_id}/unlock"): "tests/auth/test_throttle.py",
    ("POST", "/account/sessions/end-others"): "tests/auth/test_account.py",
    ("POST", "/account/unlock"): "tests/auth/test_throttle.py",
}


def _domain_error_names() -> set[str]:
    import app.attendance.service
    import app.certificates.service
    import app.curricula.service
    import app.enrolment.service  # noqa: F401 - their refusal types join the family below

    names, todo = set(), [DomainError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


def _caught_names(handler: ast.ExceptHandler) -> set[str]:
    nodes = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type] if handler.type else []
    return {n.attr if isinstance(n, ast.Attribute) else getattr(n, "id", "") for n in nodes}


def page_catches() -> dict[str, set[str]]:
    """Every function of a page module that catches a refusal type: qualified name -> the names caught."""
    family = _domain_error_names() | {"Exception", "BaseException"}
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "app").glob("*/pages.py")):  # app/home and app/infra included
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(fn):
                    if isinstance(node, ast.ExceptHandler) and _caught_names(node) & family:
                        found.setdefault(f"{module}.{fn.name}", set()).update(_caught_names(node) & family)
    return found


def test_no_page_catches_a_refusal_itself():
    catches = page_catches()
    catches.pop("app.infra.pages.healthz", None)  # a driver error there is "unavailable", it writes nothing
    unexpected = {name: sorted(types) for name, types in catches.items() if name not in CATCHES}
    assert not unexpected, ("pages that catch a refusal themselves (use app.web.form_action, which rolls back): "
                            f"{unexpected}")
    stale = sorted(set(CATCHES) - set(catches))
    assert not stale, f"CATCHES names functions that no longer catch: {stale}"


def test_the_guard_sees_a_page_that_catches_a_refusal(tmp_path):
    tree = ast.parse("def f():\n    try:\n        pass\n    except (ValueError, service.TransitionRefused):\n"
                     "        pass\n")
    handler = next(n for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler))
    assert "TransitionRefused" in _caught_names(handler) & _domain_error_names()


def _form_action_routes() -> set[tuple[str, str]]:
    """POST page routes whose handler (or the helper it calls) uses form_action."""
    found = set()
    for context in iter_route_contexts(create_app().routes):
        endpoint = getattr(context.original_route, "endpoint", None)
        if endpoint is None or ("POST", context.path) not in _page_posts():
            continue
        source = inspect.getsource(endpoint)
        if "form_action(" in source or "await _upload(" in source:
            found.add(("POST", context.path))
    return found


def _page_posts() -> set[tuple[str, str]]:
    return {("POST", c.path) for c in iter_route_contexts(create_app().routes)
            if "POST" in (getattr(c, "methods", None) or ()) and not c.path.startswith("/api/")}


def test_every_page_form_route_is_accounted_for():
    posts = _page_posts()
    listed = set(CASES) | RAISES_ONLY | set(NOT_HERE)
    assert not posts - listed, f"page form routes with no refusal case: {sorted(posts - listed)}"
    assert not listed - posts, f"listed routes that no longer exist: {sorted(listed - posts)}"
    untested = _form_action_routes() - set(CASES) - set(NOT_HERE)
    assert not untested, f"routes that catch refusals without a case in CASES: {sorted(untested)}"
    assert not RAISES_ONLY & _form_action_routes(), "a route in RAISES_ONLY now catches: give it a case"


# --- the database, before and after -----------------------------------------------------------------------------


def fingerprint(connection) -> dict[str, tuple[int, str]]:  # noqa: ANN001
    """Each table: its row count and a hash of all its rows (in a stable order)."""
    out = {}
    for table in Base.metadata.sorted_tables:
        if table.name in UNCOUNTED:
            continue
        rows = sorted(repr(tuple(r)) for r in connection.execute(select(table)))
        out[table.name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return out


def _changed(before: dict, after: dict) -> list[str]:
    return [f"{t}: {before[t][0]} -> {after[t][0]} rows" + (" (rows changed)" if before[t][0] == after[t][0] else "")
            for t in before if before[t] != after[t]]


# --- the cases ----------------------------------------------------------------------------------------------------
# route: (who sends it, the path's values, the form). Each is refused; nothing may change.
CASES = {
    # Added in the second round (tests, closed periods, paperwork, issuing bodies, past courses, accounts).
    ("POST", "/courses/{course_id}/tests"): ("organiser", {}, {"kind": "post", "draw": "fixed"}),
    ("POST", "/courses/{course_id}/score-rule"): ("organiser", {}, {"percent": "150"}),
    ("POST", "/question-banks"): ("organiser", {}, {"title": " ", "curriculum": "CT2"}),
    ("POST", "/reports/submissions"): ("organiser", {}, {"period": "2099"}),
    ("POST", "/courses/{course_id}/documents"): ("organiser", {}, {"kind": "khong-co"}),
    ("POST", "/courses/{course_id}/past/finish"): ("organiser", {}, {}),
    ("POST", "/courses"): ("organiser", {}, {"curriculum": "CT2", "title": " "}),
    ("POST", "/courses/{course_id}/edit"): ("organiser", {}, {"title": "Tên mới", "venue": "Nơi khác",
                                                               "places": "01"}),
    ("POST", "/courses/{course_id}/transition"): ("organiser", {}, {"target": "draft"}),
    ("POST", "/courses/{course_id}/sessions"): ("organiser", {}, {"session_date": "", "room": "P2"}),
    ("POST", "/courses/{course_id}/budget"): ("organiser", {}, {"category": "other", "planned_amount": "abc"}),
    ("POST", "/courses/{course_id}/modules"): ("organiser", {}, {"title": "Chuyên đề", "theory_hours": "x"}),
    ("POST", "/courses/{course_id}/modules/{module_id}/topics"): ("organiser", {}, {"title": " "}),
    ("POST", "/lecturers"): ("organiser", {}, {"full_name": "Nguyễn Văn Giảng", "username": "khong-co-ai"}),
    ("POST", "/courses/{course_id}/register"): ("trainee", {}, {}),
    ("POST", "/enrolments/{enrolment_id}/withdraw"): ("trainee", {}, {"reason": "Bận việc"}),
    ("POST", "/courses/{course_id}/enrolments/bulk"): ("organiser", {}, {"action": "rejected", "ids": "ALL"}),
    ("POST", "/courses/{course_id}/enrolments/allocate"): ("organiser", {}, {}),
    ("POST", "/courses/{course_id}/completion/record"): ("trainee", {}, {}),
    ("POST", "/check-in/{code}"): ("trainee", {"code": "1.1.forged"}, {}),
    ("POST", "/courses/{course_id}/certificates"): ("organiser", {"course_id": "draft"}, {}),
    ("POST", "/certificates/{certificate_id}/revoke"): ("organiser", {}, {"reason": "Sai ngày sinh", "reissue": "on"}),
    ("POST", "/certificates/print"): ("organiser", {}, {"unit": "01", "date_from": "2026-01-01",
                                                        "date_to": "2026-12-31"}),
    ("POST", "/materials/{material_id}/edit"): ("organiser", {}, {"title": " ", "language": "xx"}),
    ("POST", "/media"): ("organiser", {}, {"kind": "podcast", "title": "Bản tin"}),
    ("POST", "/media/{media_id}"): ("organiser", {}, {"kind": "podcast", "title": " "}),
    ("POST", "/trainees"): ("organiser", {}, {"full_name": "Lê Văn Mới", "citizen_id": "12"}),
    ("POST", "/trainees/{trainee_id}"): ("organiser", {}, {"full_name": "Tên Khác", "citizen_id": "12"}),
    ("POST", "/me"): ("trainee", {}, {"phone": "không phải số", "email": "x@y"}),
    ("POST", "/me/data-requests"): ("trainee", {}, {"kind": "correction", "message": "x"}),
    ("POST", "/data-requests/{request_id}"): ("organiser", {}, {"outcome": "refused", "response": ""}),
    # A refused sign-in or password change keeps its audit event and its count (uncounted tables) and nothing else:
    # tests/auth/test_refused.py.
    ("POST", "/login"): ("trainee", {}, {"username": "khong-co-ai", "password": "doan-bua-thoi"}),
    ("POST", "/account/password"): ("trainee", {}, {"current_password": "doan-bua-thoi",
                                                    "new_password": "Ca-phe-sua-da-buoi-sang-77",
                                                    "confirm_password": "Ca-phe-sua-da-buoi-sang-77"}),
}


@pytest.fixture
def world(db, finished, client, make_user):  # noqa: F811
    """The finished class with certificates issued, one of them then made unissuable (its result undone, so that a
    reissue is refused after the revocation was written); a draft course, a material, a media record and an open
    data request."""
    from app.courses import service as courses
    from app.enrolment.models import Enrolment
    from app.privacy import service as privacy
    from tests.courses.factories import principal
    from tests.materials.files import pdf
    from tests.media.test_media import BODY

    who = finished["who"]
    course = finished["course"]
    h = {"Authorization": f"Bearer {api_token(client, finished['organiser'].username)}"}
    issued = client.post(f"/api/v1/courses/{course.id}/certificates", headers=h, json={}).json()["issued"]
    holder = next(c for c in issued if c["full_name"] == "Đặng Thị Ngọc Ánh")
    db.get(Enrolment, finished["holder_enrolment"].id).status = "not_completed"
    draft = courses.create_course(db, who, curriculum_code="CT2", title="Lớp nháp")
    m = client.post("/api/v1/media", json=BODY, headers=h).json()
    material = client.post("/api/v1/materials", headers=h, data={"course_id": str(course.id), "title": "Bài giảng"},
                           files=[("files", ("bai-giang.pdf", pdf(), "application/pdf"))])
    assert material.status_code == 201, material.text
    request = privacy.request_change(db, principal(finished["holder_user"]), "correction",
                                     "Sai năm sinh: 1990 chứ không phải 1991")
    db.flush()
    return {"course_id": course.id, "draft": draft.id, "module_id": course.modules[0].id,
            "enrolment_id": finished["holder_enrolment"].id, "certificate_id": holder["id"],
            "media_id": m["id"], "material_id": material.json()["items"][0]["id"] if "items" in material.json()
            else material.json()[0]["id"], "trainee_id": finished["holder"].id, "request_id": request.id,
            "users": {"organiser": finished["organiser"], "trainee": finished["holder_user"]}}


def _fill(path: str, world: dict, values: dict) -> str:
    out = path
    for name in ("course_id", "module_id", "enrolment_id", "certificate_id", "media_id", "material_id",
                 "trainee_id", "request_id", "code"):
        if "{" + name + "}" in out:
            value = values.get(name, world.get(name))
            value = world[value] if isinstance(value, str) and value in world else value
            out = out.replace("{" + name + "}", str(value))
    return out


def _refused(response) -> bool:  # noqa: ANN001
    if response.status_code >= 400:
        return True
    flash = response.cookies.get("nangluc_flash")
    return response.status_code == 303 and flash is not None and _flash_signer().loads(flash)[0] == "error"


@pytest.mark.parametrize("route", sorted(CASES), ids=lambda r: r[1])
def test_a_refused_form_changes_nothing(route, client, connection, world):
    role, values, form = CASES[route]
    client.cookies.clear()
    sign_in(client, world["users"][role].username)
    if form.get("ids") == "ALL":
        from app.enrolment.models import Enrolment

        ids = connection.execute(select(Enrolment.id).where(Enrolment.course_id == world["course_id"])).scalars()
        form = {**form, "ids": [str(i) for i in ids]}
    before = fingerprint(connection)
    response = client.post(_fill(route[1], world, values), data={**form, "csrf_token": client.cookies.get(
        "nangluc_csrf")}, follow_redirects=False)
    assert _refused(response), f"{route[1]} was not refused: {response.status_code}"
    assert response.status_code < 500
    changed = _changed(before, fingerprint(connection))
    assert not changed, f"{route[1]} was refused ({response.status_code}) yet changed: {changed}"


def test_a_refused_reissue_in_the_page_leaves_the_certificate_valid(client, db, world):
    from app.certificates.models import Certificate

    sign_in(client, world["users"]["organiser"].username)
    r = client.post(f"/certificates/{world['certificate_id']}/revoke", data={
        "reason": "Sai ngày sinh trong hồ sơ", "reissue": "on", "csrf_token": client.cookies.get("nangluc_csrf")},
        follow_redirects=False)
    assert r.status_code == 303 and _refused(r)
    assert "Không cấp lại được" in _flash_signer().loads(r.cookies["nangluc_flash"])[1]
    c = db.get(Certificate, world["certificate_id"])
    db.refresh(c)
    assert c.status == "valid" and c.revoked_at is None and c.revoke_reason is None
    assert client.get(f"/verify/{c.code}", headers={"Accept": "application/json"}).json()["status"] == "valid"


def test_a_refused_upload_changes_nothing(client, connection, world):
    sign_in(client, world["users"]["organiser"].username)
    csrf = client.cookies.get("nangluc_csrf")
    for url, files in ((f"/courses/{world['course_id']}/materials", [("files", ("x.exe", b"MZ\x90\x00", "x"))]),
                       ("/curricula/CT2/materials", [("files", ("x.exe", b"MZ\x90\x00", "x"))]),
                       (f"/materials/{world['material_id']}/replace", [("file", ("x.exe", b"MZ\x90\x00", "x"))])):
        before = fingerprint(connection)
        r = client.post(url, data={"csrf_token": csrf, "title": "Tệp lạ"}, files=files, follow_redirects=False)
        assert 400 <= r.status_code < 500, (url, r.status_code)
        assert not _changed(before, fingerprint(connection)), url


def test_a_refused_import_changes_nothing(client, connection, world):
    from tests.people.factories import as_csv, person

    sign_in(client, world["users"]["organiser"].username)
    csrf = client.cookies.get("nangluc_csrf")
    preview = client.post("/trainees/import", data={"csrf_token": csrf},
                          files={"file": ("ds.csv", as_csv([person(80), person(81)]), "text/csv")})
    token = preview.text.split('name="token" value="', 1)[1].split('"', 1)[0]
    before = fingerprint(connection)
    r = client.post("/trainees/import", data={"csrf_token": csrf, "token": token, "filename": "ds.csv"},
                    follow_redirects=False)
    assert r.status_code == 422, r.status_code
    assert not _changed(before, fingerprint(connection))
