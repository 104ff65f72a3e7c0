"""Sign-in, tokens, cookies, CSRF, throttling and scoping, as an attacker would try them."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import AuthSession
from app.db import utcnow
from tests.helpers import PASSWORD, api_token, sign_in


def test_sign_in_page_sets_a_session_cookie_with_safe_flags(client, make_user):
    user = make_user("trainer", unit="24")
    response = sign_in(client, user.username)
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard"
    cookie = [h for h in response.headers.get_list("set-cookie") if h.startswith("nangluc_session=")][0]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200
    assert user.full_name in dashboard.text


def test_wrong_password_is_refused_with_a_vietnamese_message(client, make_user):
    user = make_user("trainee", unit="07432")
    response = sign_in(client, user.username, "sai-mat-khau")
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.text
    assert "nangluc_session" not in response.cookies
    api = client.post("/api/v1/auth/token", data={"username": user.username, "password": "sai-mat-khau"})
    assert api.status_code == 401
    assert api.json()["code"] == "invalid_credentials"


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client):
    response = client.post("/api/v1/auth/token", data={"username": "khong-ton-tai", "password": "x" * 10})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_repeated_failures_lock_the_account_name_even_for_the_right_password(client, make_user):
    user = make_user("trainee", unit="07432")
    for _ in range(5):
        assert client.post("/api/v1/auth/token",
                           data={"username": user.username, "password": "wrong-password"}).status_code == 401
    locked = client.post("/api/v1/auth/token", data={"username": user.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert locked.json()["code"] == "sign_in_locked"
    assert int(locked.headers["retry-after"]) > 0


def test_forged_and_expired_tokens_are_refused(client, db, make_user):
    user = make_user("admin")
    forged = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-real-token"})
    assert forged.status_code == 401
    assert forged.json()["code"] == "invalid_token"
    token = api_token(client, user.username)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    for row in db.scalars(select(AuthSession).where(AuthSession.user_id == user.id)):
        row.expires_at = utcnow() - timedelta(seconds=1)
    db.flush()
    expired = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert expired.status_code == 401


def test_an_api_token_is_not_a_session_cookie_and_vice_versa(client, make_user):
    user = make_user("admin")
    token = api_token(client, user.username)
    client.cookies.set("nangluc_session", token)
    assert client.get("/dashboard", follow_redirects=False).status_code == 303  # back to the sign-in page


def test_tampered_session_cookie_sends_the_browser_to_sign_in(client, make_user):
    user = make_user("organiser", unit="24")
    sign_in(client, user.username)
    good = client.cookies.get("nangluc_session")
    client.cookies.clear()
    client.cookies.set("nangluc_session", good[:-2] + ("AA" if not good.endswith("AA") else "BB"))
    response = client.get("/dashboard", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_form_post_without_csrf_token_is_refused(client, make_user):
    user = make_user("trainee", unit="07432")
    client.get("/login")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in response.text
    wrong = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": "forged"})
    assert wrong.status_code == 403


def test_sign_out_needs_csrf_and_ends_the_session(client, make_user):
    user = make_user("trainer", unit="24")
    sign_in(client, user.username)
    assert client.post("/logout").status_code == 403
    out = client.post("/logout", data={"csrf_token": client.cookies.get("nangluc_csrf")}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_organiser_of_one_commune_cannot_see_another_communes_records(client, make_user):
    organiser = make_user("organiser", unit="07432")  # Xã Tân Dĩnh
    own = make_user("trainee", unit="07432")
    merged = make_user("trainee", unit="old:07435")  # former Xã Đại Lâm, merged into Tân Dĩnh
    other = make_user("trainee", unit="07210")  # Phường Bắc Giang
    headers = {"Authorization": f"Bearer {api_token(client, organiser.username)}"}
    assert client.get(f"/api/v1/users/{own.id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/users/{merged.id}", headers=headers).status_code == 200
    hidden = client.get(f"/api/v1/users/{other.id}", headers=headers)
    assert hidden.status_code == 404  # not 403: the record's existence is not revealed
    listed = {u["username"] for u in client.get("/api/v1/users", headers=headers).json()["items"]}
    assert own.username in listed and other.username not in listed


def test_trainee_may_not_list_accounts(client, make_user):
    trainee = make_user("trainee", unit="07432")
    headers = {"Authorization": f"Bearer {api_token(client, trainee.username)}"}
    response = client.get("/api/v1/users", headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_organiser_creates_trainees_only_inside_their_unit(client, make_user):
    organiser = make_user("organiser", unit="07432")
    headers = {"Authorization": f"Bearer {api_token(client, organiser.username)}"}
    ok = client.post("/api/v1/users", headers=headers, json={"username": "hv-tandinh", "password": "Mot-mat-khau-dai",
                                                             "role": "trainee", "unit": "07432"})
    assert ok.status_code == 201, ok.text
    outside = client.post("/api/v1/users", headers=headers, json={"username": "hv-khac", "password": "Mot-mat-khau-dai",
                                                                  "role": "trainee", "unit": "07210"})
    assert outside.status_code == 403
    admin = client.post("/api/v1/users", headers=headers, json={"username": "sep", "password": "Mot-mat-khau-dai",
                                                                "role": "admin"})
    assert admin.status_code == 403
    weak = client.post("/api/v1/users", headers=headers, json={"username": "hv2", "password": "ngan",
                                                               "role": "trainee", "unit": "07432"})
    assert weak.status_code == 422
    assert weak.json()["field"] == "password"


def test_passwords_are_stored_as_argon2id(make_user):
    user = make_user("trainee", unit="07432")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_sign_in_and_failures_are_audited(client, db, make_user):
    user = make_user("trainer", unit="24")
    sign_in(client, user.username, "wrong-password")
    sign_in(client, user.username)
    actions = list(db.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == str(user.id))
                              .order_by(AuditEvent.id)))
    assert actions == ["user.create", "auth.sign_in_failed", "auth.sign_in.web"]


def test_api_without_token_is_401_json(client):
    response = client.get("/api/v1/units")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response.headers["www-authenticate"] == "Bearer"


def test_security_headers_forbid_inline_script(client):
    response = client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
