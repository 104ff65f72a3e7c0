"""Every route, every role: the app declares exactly what tests/auth/access_matrix.py says, and answers so.

Then, for the routes that reach one province's or commune's records, the scope: the organiser of the province, of
the commune itself, of another commune and of another province, a trainee, and no one signed in.
"""
from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from app.main import create_app
from tests.auth.access_matrix import MATRIX
from tests.auth.test_route_permissions import permissions_of
from tests.helpers import api_token, sign_in

ROLES = ("anonymous", "trainee", "trainer", "organiser", "admin")
DENIED_MESSAGE = "Bạn không có quyền thực hiện thao tác này."
# Routes left out of the behaviour walk, each with its reason (their declarations are still checked above).
NOT_WALKED = {
    ("POST", "/logout"): "ends the very session the walk uses",
    ("POST", "/lang"): "switches the language of every later answer",
    ("POST", "/api/v1/auth/token"): "signing in; tested with the accounts",
    ("POST", "/login"): "signing in; tested with the accounts",
}


def declared() -> dict[tuple[str, str], frozenset[str]]:
    found = {}
    for context in iter_route_contexts(create_app().routes):
        if isinstance(context.original_route, Mount):
            continue
        perms = permissions_of(context.original_route.dependant)
        roles = perms[-1].roles if perms else frozenset()
        for method in context.methods - {"HEAD"}:
            found[(method, context.path)] = frozenset({"anonymous", *ROLES[1:]}) if roles is None else roles
    return found


def test_the_matrix_lists_every_route_and_what_it_declares():
    app_routes = declared()
    missing = sorted(set(app_routes) - set(MATRIX))
    assert not missing, f"routes missing from tests/auth/access_matrix.py: {missing}"
    stale = sorted(set(MATRIX) - set(app_routes))
    assert not stale, f"routes in the matrix that no longer exist: {stale}"
    differ = {k: (sorted(MATRIX[k]), sorted(v)) for k, v in app_routes.items() if MATRIX[k] != v}
    assert not differ, f"declared permissions differ from the matrix (matrix, app): {differ}"


def _fill(path: str) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        return {"code": "ABCDEFGHIJKLMNOPQRSTU", "key": "24", "token": "x" * 20}.get(name, "999999")
    return re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


@pytest.fixture
def callers(client, make_user):
    """One signed-in client state per role: an API token, and the page session cookies with a CSRF token."""
    users = {"trainee": make_user("trainee", unit="07432"), "trainer": make_user("trainer", unit="24"),
             "organiser": make_user("organiser", unit="24"), "admin": make_user("admin")}
    state = {"anonymous": ({}, {})}
    for role, user in users.items():
        token = api_token(client, user.username)
        client.cookies.clear()
        sign_in(client, user.username)
        state[role] = ({"Authorization": f"Bearer {token}"}, dict(client.cookies))
    client.cookies.clear()
    client.get("/login")
    state["anonymous"] = ({}, dict(client.cookies))
    return state


def test_each_role_gets_the_answer_the_matrix_declares(client, callers):
    wrong = []
    for (method, path), allowed in sorted(MATRIX.items()):
        if (method, path) in NOT_WALKED:
            continue
        url = _fill(path)
        for role in ROLES:
            headers, cookies = callers[role]
            client.cookies.clear()
            client.cookies.update(cookies)
            extra = {} if path.startswith("/api/") else {"X-CSRF-Token": cookies.get("nangluc_csrf", "")}
            r = client.request(method, url, headers={**(headers if path.startswith("/api/") else {}), **extra},
                               **({"json": {}} if path.startswith("/api/") and method != "GET" else {}),
                               follow_redirects=False)
            refused = r.status_code in (401, 403) or (r.status_code == 303 and "/login" in
                                                       r.headers.get("location", ""))
            denied_by_role = refused and (r.status_code != 403 or DENIED_MESSAGE in r.text)
            if role in allowed and (r.status_code == 401 or denied_by_role and role != "anonymous"):
                wrong.append(f"{role} refused on {method} {path}: {r.status_code}")
            if role not in allowed and not refused:
                wrong.append(f"{role} let through on {method} {path}: {r.status_code}")
            if r.status_code >= 500:
                wrong.append(f"{role} got {r.status_code} on {method} {path}")
    assert not wrong, "\n".join(wrong)


# --- scope: the same route, callers from inside and outside the record's province and commune --------------------

SCOPES = ("province", "commune", "other_commune", "other_province", "trainee", "anonymous")
EXPECTED = {  # route: answer for each caller, in the order of SCOPES
    "GET /api/v1/trainees/{t}": (200, 200, 404, 404, 404, 401),
    "GET /api/v1/courses/{p}": (200, 404, 404, 404, 200, 401),  # an open province course is public to trainees
    "GET /api/v1/courses/{p}/enrolments": (200, 404, 404, 404, 403, 401),
    "GET /api/v1/courses/{p}/attendance": (200, 404, 404, 404, 403, 401),
    "GET /api/v1/courses/{p}/certificates": (200, 404, 404, 404, 403, 401),
    "GET /api/v1/courses/{p}/enrolments/export.xlsx": (200, 404, 404, 404, 403, 401),
    "GET /api/v1/courses/{c}/enrolments": (200, 200, 404, 404, 403, 401),
    "GET /api/v1/courses/{c}/attendance": (200, 200, 404, 404, 404, 401),  # a draft is hidden from trainees
    "PATCH /api/v1/courses/{c}": (200, 200, 404, 404, 403, 401),
    # A province's issuing body and its register book: its organisers only; a commune of it does not manage it.
    "GET /api/v1/issuing-bodies/{b}": (200, 404, 404, 404, 403, 401),
    "GET /api/v1/issuing-bodies/{b}/register/2026.xlsx": (200, 404, 404, 404, 403, 401),
}


@pytest.fixture
def scoped_world(db, make_user):
    from sqlalchemy import select

    from app.auth.principal import Principal
    from app.courses import service as courses
    from app.curricula import service as curricula
    from app.places.models import AdminUnit
    from tests.courses.factories import add_trainee, open_course, principal

    curricula.sync(db, Principal.system("t"))
    bac_ninh = db.scalar(select(AdminUnit).where(AdminUnit.era == "current", AdminUnit.code == "24"))
    other_commune = db.scalar(select(AdminUnit.code).where(AdminUnit.parent_id == bac_ninh.id,
                                                           AdminUnit.code != "07432").limit(1))
    users = {"province": make_user("organiser", unit="24"), "commune": make_user("organiser", unit="07432"),
             "other_commune": make_user("organiser", unit=other_commune),
             "other_province": make_user("organiser", unit="01"), "trainee": make_user("trainee", unit="07432")}
    province_course = open_course(db, principal(users["province"]), capacity=5, title="Lớp của tỉnh")
    commune_who = principal(users["commune"])
    commune_course = courses.create_course(db, commune_who, curriculum_code="CT2", title="Lớp của xã")
    t = add_trainee(db, principal(users["province"]), 70)
    from app.issuers import service as issuers
    body = issuers.create_body(db, principal(users["province"]), {"name": "Sở Văn hóa, Thể thao và Du lịch"})
    db.flush()
    return users, {"p": province_course.id, "c": commune_course.id, "t": t.id, "b": body.id}


def test_records_answer_by_scope(client, scoped_world):
    users, ids = scoped_world
    tokens = {who: api_token(client, u.username) for who, u in users.items()}
    wrong = []
    for route, expected in EXPECTED.items():
        method, path = route.split(" ", 1)
        url = path.format(**ids)
        for who, want in zip(SCOPES, expected, strict=True):
            headers = {"Authorization": f"Bearer {tokens[who]}"} if who in tokens else {}
            body = {"json": {"venue": "Hội trường xã"}} if method == "PATCH" else {}
            got = client.request(method, url, headers=headers, **body).status_code
            if got != want:
                wrong.append(f"{route} as {who}: {got}, expected {want}")
    assert not wrong, "\n".join(wrong)
