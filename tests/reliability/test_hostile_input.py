"""Hostile input that is not too large: deeply nested JSON, bytes that are not UTF-8, NUL and control characters,
numbers beyond any column, broken spreadsheets. Each gets a clear 4xx in our error format, never a 500, and changes
nothing; and every page carries the security headers."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.courses.models import Course
from app.main import CSP
from app.people.models import Trainee
from tests.helpers import api_token, sign_in
from tests.people.factories import HEADERS, as_csv, person


@pytest.fixture
def organiser(client, make_user, db):  # noqa: ANN001
    from app.auth.principal import Principal
    from app.curricula import service as curricula

    curricula.sync(db, Principal.system("t"))
    user = make_user("organiser", unit="24")
    return {"Authorization": f"Bearer {api_token(client, user.username)}"}


def _json(client, headers, path, body: bytes, method: str = "POST"):  # noqa: ANN001
    return client.request(method, path, content=body, headers={**headers, "Content-Type": "application/json"})


def _courses(db) -> int:  # noqa: ANN001
    return db.scalar(select(func.count()).select_from(Course))


@pytest.mark.parametrize("depth", [50, 5000, 100_000])
def test_deeply_nested_json_is_refused_cleanly(client, db, organiser, depth):
    before = _courses(db)
    for body in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        r = _json(client, organiser, "/api/v1/courses", body.encode())
        assert r.status_code in (400, 422), (depth, r.status_code, r.text[:200])
        assert r.json()["code"] in ("invalid_body", "invalid_input")
    nested_title = '{"curriculum": "CT2", "title": ' + "[" * depth + "]" * depth + "}"
    r = _json(client, organiser, "/api/v1/courses", nested_title.encode())
    assert r.status_code in (400, 422)
    assert _courses(db) == before
    assert client.get("/healthz").status_code == 200


def test_json_that_is_not_utf8_is_refused_in_vietnamese(client, db, organiser):
    before = _courses(db)
    r = _json(client, organiser, "/api/v1/courses", b'{"curriculum": "CT2", "title": "L\xe1\xbb\xff\xfe"}')
    assert r.status_code == 400
    assert r.json() == {"detail": "Không đọc được dữ liệu gửi lên: JSON hoặc biểu mẫu bị hỏng, hoặc không phải mã "
                                  "UTF-8.", "code": "invalid_body"}
    r = _json(client, organiser, "/api/v1/courses", b'{"curriculum": "CT2", "title": ')  # cut short
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    assert _courses(db) == before


def test_forms_queries_paths_and_cookies_that_are_not_utf8(client, make_user, organiser):
    user = make_user("trainee", unit="07432")
    client.get("/login")
    csrf = client.cookies.get("nangluc_csrf")
    r = client.post("/login", content=f"username=%FF%FE{user.username}&password=%C3%28&csrf_token={csrf}",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 401 and "Tên đăng nhập hoặc mật khẩu không đúng." in r.text
    boundary = "b0undary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="username"\r\n\r\n'.encode() + b"\xff\xfe\xfd"
            + f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="password"\r\n\r\nx\r\n'.encode()
            + f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{csrf}\r\n'.encode()
            + f"--{boundary}--\r\n".encode())
    r = client.post("/login", content=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 401
    r = client.get("/api/v1/trainees?q=%FF%FE%00", headers=organiser)
    assert r.status_code in (200, 422)
    assert client.get("/verify/%FF%FE%C3%28").status_code == 404
    r = client.get("/api/v1/courses/%FF", headers=organiser)
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    r = client.get("/dashboard", headers={"Cookie": b"nangluc_session=\xff\xfe"}, follow_redirects=False)
    assert r.status_code == 303


@pytest.mark.parametrize("path,body", [
    ("/api/v1/courses/9223372036854775808", None),
    ("/api/v1/courses/99999999999999999999999999", None),
    ("/api/v1/materials?course_id=18446744073709551616", None),
    ("/api/v1/courses", {"curriculum": "CT2", "title": "Lớp", "curriculum_version": 2 ** 70}),
])
def test_numbers_beyond_any_column_are_a_422(client, db, organiser, path, body):
    before = _courses(db)
    r = client.post(path, json=body, headers=organiser) if body else client.get(path, headers=organiser)
    assert r.status_code in (404, 422), r.text
    if r.status_code == 422:
        assert r.json()["code"] in ("value_out_of_range", "invalid_input")
    assert _courses(db) == before


def test_nul_and_control_characters(client, db, organiser, backend):
    before = db.scalar(select(func.count()).select_from(Trainee))
    row = person(90)
    body = {"full_name": "Nguyễn\x00Văn An", "sex": row["Giới tính"], "birth_date": "1990-01-02",
            "ethnicity": "Kinh", "citizen_id": row["Số CCCD"], "position": row["Chức danh"],
            "organisation_type": row["Loại tổ chức"], "commune": "07432"}
    r = client.post("/api/v1/trainees", json=body, headers=organiser)
    # A name is stripped of control characters before it is stored (app.core.text.clean_name), NUL included, so
    # both databases keep the same clean name (PostgreSQL could not store NUL in text at all).
    assert r.status_code == 201, r.text
    assert "\x00" not in r.json()["full_name"] and r.json()["full_name"].startswith("Nguyễn")
    assert db.scalar(select(func.count()).select_from(Trainee)) == before + 1
    r = client.post("/api/v1/courses", json={"curriculum": "CT2", "title": "Lớp\x00 thử"}, headers=organiser)
    assert r.status_code in (201, 422)


def test_a_csv_with_a_huge_cell_or_a_nul_is_a_reading_error_not_a_500(client, organiser):
    rows = [person(1)]
    big = as_csv(rows).replace(b"Nguy", b"Nguy" + b"x" * 200_000, 1)
    r = client.post("/api/v1/trainees/import", headers=organiser, files={"file": ("ds.csv", big, "text/csv")})
    assert r.status_code == 422
    assert "Tệp CSV không đọc được" in r.json()["errors"][0]["message"]
    nul = as_csv(rows) + b"x" * 5000 + b"\x00\n"
    r = client.post("/api/v1/trainees/import", headers=organiser, files={"file": ("ds.csv", nul, "text/csv")})
    assert r.status_code == 422
    assert r.json()["errors"]
    broken_xlsx = b"PK\x03\x04" + b"\x00" * 300
    r = client.post("/api/v1/trainees/import", headers=organiser,
                    files={"file": ("ds.xlsx", broken_xlsx, "application/octet-stream")})
    assert r.status_code == 422
    assert HEADERS  # the factory's headers are what the template names


def test_a_header_too_long_or_odd_does_not_break_the_app(client):
    r = client.get("/login", headers={"Accept-Language": "vi;q=abc, en;q=" + "9" * 1000, "X-Forwarded-For": "x" * 4000})
    assert r.status_code == 200


SECURITY_HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff", "x-frame-options": "DENY",
                    "referrer-policy": "same-origin"}


@pytest.mark.parametrize("path", ["/login", "/dashboard", "/courses", "/trainees", "/docs", "/verify/ABCDEFGH",
                                  "/nowhere", "/api/v1/me", "/openapi.json", "/healthz"])
def test_every_answer_carries_the_security_headers(client, make_user, path):
    user = make_user("organiser", unit="24")
    assert sign_in(client, user.username).status_code == 303
    r = client.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert r.headers.get(name) == value, (path, name, r.headers.get(name))
    assert r.headers["cache-control"] == "no-store"
    assert "unsafe-inline" not in r.headers["content-security-policy"]
    assert "script-src 'self'" in r.headers["content-security-policy"]


def test_the_session_cookie_is_httponly_samesite_and_secure_over_https(client, make_user):
    user = make_user("trainee", unit="07432")
    client.get("/login")
    csrf = client.cookies.get("nangluc_csrf")
    r = client.post("https://testserver/login", data={"username": user.username, "password": "Mat-khau-thu-2026",
                                                      "csrf_token": csrf, "next": "/dashboard"},
                    follow_redirects=False)
    cookie = [h for h in r.headers.get_list("set-cookie") if h.startswith("nangluc_session=")]
    assert cookie, r.headers
    assert "httponly" in cookie[0].lower() and "samesite=lax" in cookie[0].lower() and "secure" in cookie[0].lower()


def test_https_answers_ask_browsers_to_stay_on_https(client):
    assert "strict-transport-security" not in client.get("/login").headers
    assert client.get("https://testserver/login").headers["strict-transport-security"] == "max-age=31536000"
