"""Numbers typed with other scripts' digits, and names carrying invisible characters.

`str.isdigit()` says yes to "²" and `int("²")` then raises: three routes answered 500 (the check-in page, the course
form's number of seats, the roll call). `int()`, `float()` and `Decimal()` quietly read "٣" (Arabic-Indic) and "３"
(fullwidth) as 3. Now every number the application reads is ASCII 0-9 (`app.core.text.is_digits`, the
`AsciiDecimal` type of JSON bodies, `[0-9]` in every pattern): anything else answers 4xx, never 500 and never a
silently read value. Names and titles lose bidirectional overrides and zero-width characters before they are stored
(`app.core.text.clean_name`).
"""
from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import select

from app.core.text import clean_name, foreign_digits, is_digits
from app.main import create_app
from tests.attendance.conftest import course_with_class  # noqa: F401 - a fixture, shared
from tests.helpers import api_token, sign_in

FOREIGN = ("²", "٣", "３", "1²", "১২")  # superscript, Arabic-Indic, fullwidth, mixed, Bengali


def test_only_ascii_digits_are_digits():
    assert is_digits("0123456789")
    for text in (*FOREIGN, "", "1 2", "-1", "1.5"):
        assert not is_digits(text), text
    assert all(foreign_digits(t) for t in FOREIGN)
    assert not foreign_digits("1.500.000 đồng")


def test_names_lose_bidi_overrides_and_zero_width_characters():
    assert clean_name("Nguy\u1ec5n\u200b V\u0103n \u202eA\u202c\ufeff  ") == "Nguyễn Văn A"
    assert clean_name("\u2067Lê\u2069 Thị\u200d Hoa\u00ad") == "Lê Thị Hoa"
    assert clean_name("Nguyen\u0303") == "Nguyeñ"  # composed (NFC), a real mark kept


def _fill(path: str, value: str) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: value, path)


@pytest.fixture
def admin(client, make_user):
    user = make_user("admin")
    token = api_token(client, user.username)
    sign_in(client, user.username)
    return {"Authorization": f"Bearer {token}"}


def test_every_path_with_foreign_digits_answers_4xx(client, admin):
    """Every route, each path parameter given each kind of foreign digit, as an admin (who passes every role check):
    a 4xx, never a 5xx."""
    wrong = []
    for context in iter_route_contexts(create_app().routes):
        if "{" not in context.path or context.path.startswith("/static"):
            continue
        for method in sorted((getattr(context, "methods", None) or set()) - {"HEAD"}):
            for value in FOREIGN:
                url = _fill(context.path, value)
                kwargs = {"headers": admin} if url.startswith("/api/") else {
                    "headers": {"X-CSRF-Token": client.cookies.get("nangluc_csrf", "")}}
                if method not in ("GET", "DELETE") and url.startswith("/api/"):
                    kwargs["json"] = {}
                r = client.request(method, url, follow_redirects=False, **kwargs)
                if r.status_code >= 500 or r.status_code < 400:
                    wrong.append(f"{method} {url}: {r.status_code}")
    assert not wrong, "\n".join(wrong)


def test_forms_json_and_queries_refuse_foreign_digits(client, db, course_with_class):  # noqa: F811
    from app.courses.models import BudgetLine, Course

    c = course_with_class
    course = c["course"]
    token = api_token(client, c["organiser"].username)
    sign_in(client, c["organiser"].username)
    csrf = client.cookies.get("nangluc_csrf")
    session_id = course.sessions[0].id
    for value in FOREIGN:
        # the course form's seats (was a 500 for "²"; "٣" was stored as 3)
        r = client.post(f"/courses/{course.id}/edit", data={"csrf_token": csrf, "title": course.title,
                                                            "capacity": value})
        assert r.status_code == 422, (value, r.status_code)
        assert db.scalar(select(Course.capacity).where(Course.id == course.id)) == 10
        # the roll call (was a 500 for "²"; a bad id must not read as "everyone")
        r = client.post(f"/courses/{course.id}/sessions/{session_id}/roll-call",
                        data={"csrf_token": csrf, "status": "present", "enrolment_id": value})
        assert 400 <= r.status_code < 500, (value, r.status_code)
        # the trainee's scan of a QR code (was a 500 for "²")
        assert client.get(f"/check-in/{value}.1.x").status_code == 409
        # sums of money: the page form and the JSON API
        r = client.post(f"/courses/{course.id}/budget", data={"csrf_token": csrf, "category": "hall",
                                                              "planned_amount": value, "funding_source": "central"},
                        follow_redirects=False)
        assert r.status_code == 303 and "budget" in r.headers["location"]
        api = client.post(f"/api/v1/courses/{course.id}/budget", headers={"Authorization": f"Bearer {token}"},
                          json={"category": "hall", "planned_amount": value, "funding_source": "central"})
        assert api.status_code == 422, (value, api.status_code)
        # hours of a local module, a session's lecturer
        r = client.post(f"/courses/{course.id}/modules", data={"csrf_token": csrf, "title": "Chuyên đề",
                                                               "theory_hours": value}, follow_redirects=False)
        assert r.status_code == 303
        r = client.post(f"/courses/{course.id}/sessions", data={
            "csrf_token": csrf, "session_date": course.start_date.isoformat(), "part_of_day": "morning",
            "module_ids": str(course.modules[0].id), "lecturer_id": value})
        assert r.status_code == 422, (value, r.status_code)
        # queries: the calendar's month, a report's period
        assert client.get("/calendar", params={"month": f"{value}-01"}).status_code == 422
        assert 400 <= client.get("/reports", params={"period": value}).status_code < 500
        # a media record's rebroadcast count
        r = client.post("/media", data={"csrf_token": csrf, "kind": "radio_programme", "title": "Bản tin",
                                        "rebroadcast_count": value})
        assert r.status_code == 422, (value, r.status_code)
    assert db.scalar(select(BudgetLine.id).where(BudgetLine.course_id == course.id)) is None


def test_a_name_is_stored_without_invisible_characters(client, db, course_with_class):  # noqa: F811
    from app.courses.models import Course, Lecturer
    from app.people.models import Trainee

    c = course_with_class
    token = {"Authorization": f"Bearer {api_token(client, c['organiser'].username)}"}
    sign_in(client, c["organiser"].username)
    csrf = client.cookies.get("nangluc_csrf")
    client.post("/lecturers", data={"csrf_token": csrf, "full_name": "\u202eTrần\u200b Văn\u2066 Giảng\u2069"})
    assert db.scalar(select(Lecturer.full_name).order_by(Lecturer.id.desc())) == "Trần Văn Giảng"
    created = client.post("/api/v1/courses", headers=token, json={"curriculum": "CT2",
                                                                  "title": "Lớp\u200b \u202eA\u202c"})
    assert created.status_code == 201, created.text
    assert db.scalar(select(Course.title).where(Course.id == created.json()["id"])) == "Lớp A"
    t = db.get(Trainee, c["enrolments"][0].trainee_id)
    from tests.courses.factories import add_trainee, principal

    odd = add_trainee(db, principal(c["organiser"]), 77, **{"Họ và tên": "Phạm\u200d Thị\ufeff \u202bLan\u202c"})
    assert odd.full_name == "Phạm Thị Lan" and t is not None
