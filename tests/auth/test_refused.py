"""A refused sign-in or password change keeps its audit event and nothing else, on the page as in the API.

The guess is counted in a transaction of its own before the password is checked (`authenticate`, see
tests/auth/test_throttle.py); the request's own writes are rolled back on refusal and only the refusal's audit event
is then written. No service path writes anything else before these refusals today, so the tests below add such a
write around the real service (made on the request's session after the refusal was decided, as a later change could)
and check that the route does not keep it. Before: the pages returned their error page and the request committed
everything, and the API committed before raising.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth import service as auth
from app.auth.models import SignInThrottle, User
from app.errors import DomainError
from tests.helpers import PASSWORD, api_token, sign_in

NEW = "Ca-phe-sua-da-buoi-sang-77"
WRONG = "doan-bua-thoi"


def _writes_before_refusing(monkeypatch, name: str, user_id: int) -> None:  # noqa: ANN001
    real = getattr(auth, name)

    def wrapped(db, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        try:
            return real(db, *args, **kwargs)
        except DomainError:
            db.get(User, user_id).full_name = "Ghi dở dang"  # half an action, before the refusal reaches the route
            db.flush()
            raise

    monkeypatch.setattr(auth, name, wrapped)


def _state(db, user: User) -> tuple[str, list[str], int]:  # noqa: ANN001
    db.expire_all()
    events = list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))  # a throttled one names no id
    guesses = db.scalar(select(SignInThrottle.failures).where(SignInThrottle.scope == "account",
                                                              SignInThrottle.account == user.username)) or 0
    return db.get(User, user.id).full_name, events, guesses


@pytest.mark.parametrize("where", ["page", "api"])
def test_a_refused_sign_in_keeps_its_audit_event_and_count_and_nothing_else(where, client, db, make_user,
                                                                            monkeypatch):
    user = make_user("trainee", unit="07432")
    name, before, _ = _state(db, user)
    _writes_before_refusing(monkeypatch, "authenticate", user.id)
    if where == "page":
        r = sign_in(client, user.username, WRONG)
        assert r.status_code == 401 and "Tên đăng nhập hoặc mật khẩu không đúng" in r.text
    else:
        r = client.post("/api/v1/auth/token", data={"username": user.username, "password": WRONG})
        assert r.status_code == 401 and r.json()["code"] == "invalid_credentials"
    assert _state(db, user) == (name, [*before, "auth.sign_in_failed"], 1)


@pytest.mark.parametrize("where", ["page", "api"])
def test_a_refused_sign_in_when_locked_keeps_its_audit_event_and_retry_after(where, client, db, make_user,
                                                                             monkeypatch):
    user = make_user("trainee", unit="07432")
    for _ in range(5):
        client.post("/api/v1/auth/token", data={"username": user.username, "password": WRONG})
    name, before, guesses = _state(db, user)
    _writes_before_refusing(monkeypatch, "authenticate", user.id)
    if where == "page":
        r = sign_in(client, user.username, PASSWORD)
    else:
        r = client.post("/api/v1/auth/token", data={"username": user.username, "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert _state(db, user) == (name, [*before, "auth.sign_in_failed"], guesses)


@pytest.mark.parametrize("where", ["page", "api"])
def test_a_wrong_current_password_keeps_its_audit_event_and_count_and_nothing_else(where, client, db, make_user,
                                                                                  monkeypatch):
    user = make_user("trainee", unit="07432")
    if where == "page":
        sign_in(client, user.username)
    else:
        h = {"Authorization": f"Bearer {api_token(client, user.username)}"}
    name, before, _ = _state(db, user)
    _writes_before_refusing(monkeypatch, "change_password", user.id)
    if where == "page":
        r = client.post("/account/password", data={"csrf_token": client.cookies.get("nangluc_csrf"),
                                                   "current_password": WRONG, "new_password": NEW,
                                                   "confirm_password": NEW})
        assert r.status_code == 422 and "Mật khẩu hiện tại không đúng" in r.text
    else:
        r = client.post("/api/v1/me/password", headers=h, json={"current_password": WRONG, "new_password": NEW})
        assert r.status_code == 422 and r.json()["code"] == "wrong_password"
    assert _state(db, user) == (name, [*before, "user.change_password_refused"], 1)


def test_a_weak_new_password_keeps_nothing(client, db, make_user, monkeypatch):
    user = make_user("trainee", unit="07432")
    sign_in(client, user.username)
    count = db.scalar(select(func.count()).select_from(AuditEvent))
    _writes_before_refusing(monkeypatch, "change_password", user.id)
    r = client.post("/account/password", data={"csrf_token": client.cookies.get("nangluc_csrf"),
                                               "current_password": PASSWORD, "new_password": "matkhau2026",
                                               "confirm_password": "matkhau2026"})
    assert r.status_code == 422 and "dễ đoán" in r.text
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == count
    assert db.get(User, user.id).full_name != "Ghi dở dang"
