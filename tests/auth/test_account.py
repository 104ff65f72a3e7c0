"""One's own account: a password policy that refuses guessable passwords, changing the password, and ending one's
other sessions and API tokens (issue #19.1)."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.auth.models import SignInThrottle
from app.auth.passwords import MIN_PASSWORD_LENGTH
from app.auth.rules import password_problem
from tests.helpers import PASSWORD, api_token, committed_app, sign_in

NEW = "Ca-phe-sua-da-buoi-sang-77"


@pytest.mark.parametrize(("password", "personal"), [
    ("ngan-qua", ()),  # short
    ("1234567890", ()),  # a run of digits
    ("matkhau2026", ()),  # "password" in Vietnamese
    ("anhyeuem1990", ()),  # "I love you" and a year
    ("nguyenvanan1990", ("Nguyễn Văn An",)),  # one's own name and birth year: English lists pass it at score 3
    ("hoa.lt1975", ("Lê Thị Hoa", "hoa.lt")),  # the username and a year
])
def test_guessable_passwords_are_refused(password, personal):
    assert password_problem(password, "x", MIN_PASSWORD_LENGTH, personal) is not None


@pytest.mark.parametrize("password", [PASSWORD, NEW, "Mật-khẩu-an-toàn-2026", "song Hong chay qua cau Long Bien"])
def test_long_unrelated_phrases_pass(password):
    assert password_problem(password, "hoa.lt", MIN_PASSWORD_LENGTH, ("Lê Thị Hoa",)) is None


def test_accounts_cannot_be_created_with_a_weak_password(client, make_user):
    admin = make_user("admin")
    h = {"Authorization": f"Bearer {api_token(client, admin.username)}"}
    r = client.post("/api/v1/users", headers=h, json={"username": "tran.binh", "password": "tranbinh123",
                                                      "full_name": "Trần Bình", "role": "trainer", "unit": "24"})
    assert r.status_code == 422 and r.json()["code"] == "weak_password" and r.json()["field"] == "password"


def test_changing_the_password_ends_every_other_session_and_token(app, client, db, make_user):
    user = make_user("trainer", unit="24")
    token = api_token(client, user.username)
    with TestClient(app) as phone:
        assert sign_in(phone, user.username).status_code == 303
        sign_in(client, user.username)
        csrf = client.cookies.get("nangluc_csrf")
        wrong = client.post("/account/password", data={"csrf_token": csrf, "current_password": "doan-bua-thoi",
                                                       "new_password": NEW, "confirm_password": NEW})
        assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng" in wrong.text
        weak = client.post("/account/password", data={"csrf_token": csrf, "current_password": PASSWORD,
                                                      "new_password": "matkhau2026", "confirm_password": "matkhau2026"})
        assert weak.status_code == 422 and "dễ đoán" in weak.text
        done = client.post("/account/password", data={"csrf_token": csrf, "current_password": PASSWORD,
                                                      "new_password": NEW, "confirm_password": NEW},
                           follow_redirects=False)
        assert done.status_code == 303
        assert client.get("/account").status_code == 200  # this browser stays signed in
        assert phone.get("/account", follow_redirects=False).status_code == 303  # the other one is out
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert sign_in(TestClient(app), user.username, NEW).status_code == 303
    actions = list(db.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == str(user.id))))
    assert "user.change_password_refused" in actions and "user.change_password" in actions


def test_the_api_changes_the_password_and_ends_other_sessions(app, client, make_user):
    user = make_user("trainee", unit="07432")
    keep, other = api_token(client, user.username), api_token(client, user.username)
    h = {"Authorization": f"Bearer {keep}"}
    with TestClient(app) as browser:
        sign_in(browser, user.username)
        ended = client.post("/api/v1/me/sessions/end-others", headers=h)
        assert ended.status_code == 200 and ended.json()["sessions_ended"] == 2
        assert browser.get("/account", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 401
    bad = client.post("/api/v1/me/password", headers=h, json={"current_password": PASSWORD, "new_password": "123"})
    assert bad.status_code == 422 and bad.json()["field"] == "new_password"
    ok = client.post("/api/v1/me/password", headers=h, json={"current_password": PASSWORD, "new_password": NEW})
    assert ok.status_code == 200 and client.get("/api/v1/me", headers=h).status_code == 200


def test_the_owner_sees_failed_sign_ins_and_can_clear_them(app, client, make_user):
    user = make_user("trainee", unit="07432")
    with TestClient(app, client=("203.0.113.66", 1)) as stranger:
        for _ in range(6):
            stranger.post("/api/v1/auth/token", data={"username": user.username, "password": "doan-bua-thoi"})
        assert stranger.post("/api/v1/auth/token", data={"username": user.username,
                                                         "password": PASSWORD}).status_code == 429
        sign_in(client, user.username)
        page = client.get("/account")
        assert 'id="failed-sign-ins"' in page.text
        client.post("/account/unlock", data={"csrf_token": client.cookies.get("nangluc_csrf")})
        assert 'id="failed-sign-ins"' not in client.get("/account").text
        assert stranger.post("/api/v1/auth/token", data={"username": user.username,
                                                         "password": PASSWORD}).status_code == 200


def test_a_stolen_session_cannot_guess_the_current_password(client, db, make_user):
    user = make_user("organiser", unit="24")
    h = {"Authorization": f"Bearer {api_token(client, user.username)}"}
    for _ in range(5):
        r = client.post("/api/v1/me/password", headers=h, json={"current_password": "doan-bua-thoi",
                                                                "new_password": NEW})
        assert r.status_code == 422 and r.json()["code"] == "wrong_password"
    locked = client.post("/api/v1/me/password", headers=h, json={"current_password": PASSWORD, "new_password": NEW})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    refused = list(db.scalars(select(AuditEvent.action).where(AuditEvent.action == "user.change_password_refused")))
    assert len(refused) == 6


def test_a_weak_new_password_is_refused_without_spending_a_guess_or_writing_anything(client, db, make_user):
    """Six tries with the right current password but a guessable new one: each is refused for the new password,
    none counts as a wrong guess (the seventh, a good one, succeeds), and nothing was written by the refusals."""
    user = make_user("organiser", unit="24")
    h = {"Authorization": f"Bearer {api_token(client, user.username)}"}
    def written():  # noqa: ANN202
        db.expire_all()
        return (db.scalar(select(func.count()).select_from(AuditEvent)),
                sorted(db.execute(select(SignInThrottle.scope, SignInThrottle.failures, SignInThrottle.admitted))))

    before = written()
    for weak in ("12345678", "password", user.username, PASSWORD, "matkhau1", "abcdefgh"):
        r = client.post("/api/v1/me/password", headers=h, json={"current_password": PASSWORD, "new_password": weak})
        assert r.status_code == 422 and r.json()["code"] in ("weak_password", "same_password")
        assert r.json()["field"] == "new_password"
    assert written() == before
    ok = client.post("/api/v1/me/password", headers=h, json={"current_password": PASSWORD, "new_password": NEW})
    assert ok.status_code == 200


def test_the_password_change_counts_its_guess_outside_the_requests_own_transaction(backend):
    """As in production, on a database of its own with real transactions: the request's session and the guess
    counter's are two transactions, and on SQLite the request's takes the write lock up front (BEGIN IMMEDIATE).
    Before: the service read the account in the request's transaction first, so on SQLite the counter then waited
    for its own request's lock, and every password change, right or wrong, answered 503 after the busy timeout."""
    with committed_app(backend, "hoa.lt", "trainee") as (app, engine):
        with TestClient(app) as client:
            h = {"Authorization": f"Bearer {api_token(client, 'hoa.lt')}"}
            for _ in range(5):
                r = client.post("/api/v1/me/password", headers=h, json={"current_password": "doan-bua-thoi",
                                                                        "new_password": NEW})
                assert r.status_code == 422 and r.json()["code"] == "wrong_password", r.text
            locked = client.post("/api/v1/me/password", headers=h, json={"current_password": PASSWORD,
                                                                         "new_password": NEW})
            assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
        with Session(engine) as db:
            assert db.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.action == "user.change_password_refused")) == 6
            db.execute(SignInThrottle.__table__.delete())  # unlocked (as by an organiser): now a change goes through
            db.commit()
        with TestClient(app) as client:
            h = {"Authorization": f"Bearer {api_token(client, 'hoa.lt')}"}
            ok = client.post("/api/v1/me/password", headers=h, json={"current_password": PASSWORD,
                                                                     "new_password": NEW})
            assert ok.status_code == 200, ok.text


def test_a_strangers_guesses_do_not_stop_the_owner_changing_the_password(client, db, make_user):
    """A stranger's wrong guesses lock the name; the owner, signed in from an address that has not been failing,
    still changes the password (as they still sign in). Before: refused 429, the name's counter being past its limit."""
    from fastapi.testclient import TestClient

    user = make_user("organiser", unit="24")
    with TestClient(client.app, client=("203.0.113.66", 1)) as stranger:
        for _ in range(6):
            assert stranger.post("/api/v1/auth/token", data={"username": user.username, "password": "doan-bua-thoi"}
                                 ).status_code in (401, 429)
    with TestClient(client.app, client=("192.0.2.10", 1)) as owner:
        h = {"Authorization": f"Bearer {api_token(owner, user.username)}"}
        ok = owner.post("/api/v1/me/password", headers=h, json={"current_password": PASSWORD, "new_password": NEW})
        assert ok.status_code == 200, ok.text
    # The change forgot the name's failures: the stranger starts again from nothing, and is not let in.
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(SignInThrottle).where(
        SignInThrottle.account == user.username)) == 0
