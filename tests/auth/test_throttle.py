"""Sign-in throttling (issue #19.1): every failure counted atomically and audited, never a 500, and a stranger's
guesses lock out the stranger, not the account's owner."""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.auth import rules, throttle
from app.auth import service as auth
from app.auth.models import SignInThrottle
from app.db import utcnow
from tests.helpers import PASSWORD, committed_app, sign_in

WRONG = "sai-mat-khau-roi"
T = TypeVar("T")


def _token(client: TestClient, username: str, password: str):  # noqa: ANN202
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def _at_once(n: int, ask: Callable[[int], T]) -> list[T]:
    """`ask(i)` for i in 0..n-1 from n real threads released at the same instant: what each answered."""
    statuses: list[T] = []
    barrier = threading.Barrier(n)

    def one(i: int) -> None:
        barrier.wait()
        statuses.append(ask(i))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return statuses


def test_ten_simultaneous_wrong_passwords_are_each_counted_audited_and_stop_at_the_limit(backend):
    """Ten guesses sent at once from real threads: no 500, ten audit events, and exactly five checked (the limit);
    the other five are refused without looking at the password. Before: nine 500s on PostgreSQL (duplicate key on
    the throttle row), the failures behind them missing from the audit trail, and bursts checked past the limit."""
    with committed_app(backend, "can.bo", "admin") as (app, engine):
        with TestClient(app, raise_server_exceptions=False, client=("203.0.113.5", 4000)) as attacker:
            statuses = _at_once(10, lambda _: _token(attacker, "can.bo", WRONG).status_code)
            assert sorted(statuses) == [401] * 5 + [429] * 5, statuses
            # The attacking client stays locked out, even with the right password...
            assert _token(attacker, "can.bo", PASSWORD).status_code == 429
        with Session(engine) as db:
            failed = db.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.action == "auth.sign_in_failed"))
            reasons = sorted(e.changes["reason"] for e in db.scalars(
                select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")))
        assert failed == 11  # every failure, refused or wrong, is in the trail
        assert reasons.count("password") == 5 and reasons.count("throttled_account") == 6
        # ...while the owner, from an address that has not been failing, still gets in.
        with TestClient(app, client=("198.51.100.20", 5000)) as owner:
            assert _token(owner, "can.bo", PASSWORD).status_code == 200


def test_many_right_passwords_at_once_for_one_account_all_sign_in(backend):
    """One account signed in from twenty devices behind one office address at the same instant: all
    signed in, none answered 503. Before: PostgreSQL found deadlocks (a sign-in forgiving its counters took the
    client's row before the address's, while another's count took them the other way round)."""
    from app.auth.models import User

    with committed_app(backend, "van.phong", "admin") as (app, engine):
        with TestClient(app, raise_server_exceptions=False, client=("203.0.113.7", 4000)) as office:
            statuses = _at_once(20, lambda _: _token(office, "van.phong", PASSWORD).status_code)
        assert statuses == [200] * 20, statuses
        with Session(engine) as db:
            assert db.scalar(select(User.sign_in_count).where(User.username == "van.phong")) == 20


def test_a_strangers_guesses_do_not_keep_the_owner_out(app, make_user):
    user = make_user("admin")
    with TestClient(app, client=("203.0.113.9", 1)) as stranger, TestClient(app, client=("192.0.2.44", 2)) as owner:
        for _ in range(5):
            assert _token(stranger, user.username, WRONG).status_code == 401
        for _ in range(3):  # keeps trying: refused, and the lock is not the owner's problem
            refused = _token(stranger, user.username, WRONG)
            assert refused.status_code == 429 and refused.json()["code"] == "sign_in_locked"
            assert int(refused.headers["retry-after"]) > 0
        assert _token(stranger, user.username, PASSWORD).status_code == 429
        assert sign_in(owner, user.username).status_code == 303  # the page, from the owner's own address
        assert _token(owner, user.username, PASSWORD).status_code == 200


def test_an_address_guessing_many_names_is_slowed_without_touching_other_addresses(app, make_user, monkeypatch):
    monkeypatch.setenv("NANGLUC_SIGN_IN_ADDRESS_MAX_FAILURES", "6")
    from app.config import get_settings

    get_settings.cache_clear()
    try:
        victim = make_user("trainer", unit="24")
        with TestClient(app, client=("203.0.113.77", 1)) as sprayer, \
                TestClient(app, client=("192.0.2.8", 2)) as office:
            for i in range(6):
                assert _token(sprayer, f"ten-{i}", WRONG).status_code == 401
            refused = _token(sprayer, victim.username, PASSWORD)
            assert refused.status_code == 429 and "địa chỉ mạng" in refused.json()["detail"]
            assert _token(office, victim.username, PASSWORD).status_code == 200
    finally:
        get_settings.cache_clear()


def test_people_who_type_their_password_right_never_add_up_on_a_shared_address(app, make_user, monkeypatch):
    monkeypatch.setenv("NANGLUC_SIGN_IN_ADDRESS_MAX_FAILURES", "3")
    from app.config import get_settings

    get_settings.cache_clear()
    try:
        people = [make_user("trainee", unit="07432") for _ in range(8)]
        with TestClient(app, client=("192.0.2.100", 1)) as classroom:
            for person in people:  # a whole class signing in from the commune hall's one address
                assert _token(classroom, person.username, PASSWORD).status_code == 200
    finally:
        get_settings.cache_clear()


def test_the_delay_doubles_after_the_limit_and_failures_are_forgotten(db):
    policy = rules.ThrottlePolicy(3, timedelta(minutes=1), timedelta(minutes=8), timedelta(hours=24))
    key, now = throttle.key_of("x"), utcnow()
    seen = [throttle.count(db, "account", key, policy, now) for _ in range(4)]
    assert [c.admitted for c in seen] == [True, True, True, False]
    assert seen[2].wait(now) == timedelta(minutes=1)
    later = now + timedelta(minutes=1, seconds=1)  # the delay has passed: one more try, then twice as long
    fourth = throttle.count(db, "account", key, policy, later)
    assert fourth.admitted and fourth.wait(later) == timedelta(minutes=2)
    assert not throttle.count(db, "account", key, policy, later + timedelta(seconds=90)).admitted
    far = later + timedelta(hours=25)
    assert throttle.count(db, "account", key, policy, far).failures == 1  # forgotten after a quiet day
    assert [rules.lock_after(n, policy) for n in range(1, 8)] == [
        None, None, timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8),
        timedelta(minutes=8)]


def test_an_organiser_unlocks_an_account_in_the_list_of_accounts(app, client, make_user):
    trainee = make_user("trainee", unit="07432")
    organiser = make_user("organiser", unit="24")
    for _ in range(6):
        _token(client, trainee.username, WRONG)
    assert _token(client, trainee.username, PASSWORD).status_code == 429
    with TestClient(app, client=("192.0.2.1", 9)) as staff:
        sign_in(staff, organiser.username)
        page = staff.get("/users")
        assert f'action="/users/{trainee.id}/unlock"' in page.text and "Tạm khoá đến" in page.text
        done = staff.post(f"/users/{trainee.id}/unlock", data={"csrf_token": staff.cookies.get("nangluc_csrf")},
                          follow_redirects=False)
        assert done.status_code == 303
        assert f'action="/users/{trainee.id}/unlock"' not in staff.get("/users").text
    assert _token(client, trainee.username, PASSWORD).status_code == 200


def test_unlock_is_scoped_and_audited(client, db, make_user):
    admin = make_user("admin")
    far_organiser = make_user("organiser", unit="01")  # another province
    trainee = make_user("trainee", unit="07432")
    for _ in range(6):
        _token(client, trainee.username, WRONG)
    headers = {"Authorization": "Bearer " + _token(client, far_organiser.username, PASSWORD).json()["access_token"]}
    assert client.post(f"/api/v1/users/{trainee.id}/unlock", headers=headers).status_code == 404
    headers = {"Authorization": "Bearer " + _token(client, admin.username, PASSWORD).json()["access_token"]}
    assert client.post(f"/api/v1/users/{trainee.id}/unlock", headers=headers).status_code == 200
    assert db.scalar(select(func.count()).select_from(SignInThrottle).where(
        SignInThrottle.account == trainee.username)) == 0
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.entity_id == str(trainee.id))
                     .order_by(AuditEvent.id.desc())) == "user.unlock"
    assert _token(client, trainee.username, PASSWORD).status_code == 200


def test_the_throttle_stores_no_client_address_in_clear(client, db, make_user):
    _token(client, "khong-ai", WRONG)
    keys = list(db.scalars(select(SignInThrottle.key)))
    assert keys and all(len(k) == 64 and "testclient" not in k for k in keys)


def test_the_test_app_refuses_a_counter_write_its_savepoints_would_lose(app):
    """The guard of tests/conftest.py (`AppSessions`): savepoints of one connection nest where production's two
    transactions do not, so a counter committed inside a request's session that then rolls back is a failure."""
    factory = app.state.session_factory
    policy = auth.account_policy()
    with factory() as request:
        request.execute(select(1))  # the request's transaction is in progress
        with factory() as side:
            throttle.count(side, throttle.ACCOUNT, throttle.key_of("x"), policy, utcnow())
            side.commit()
        request.rollback()
    assert factory.problems
    factory.problems.clear()
    with factory() as side:  # the counter first, then the request's transaction: as in production
        throttle.count(side, throttle.ACCOUNT, throttle.key_of("y"), policy, utcnow())
        side.commit()
    with factory() as request:
        assert request.scalar(select(SignInThrottle.failures).where(SignInThrottle.key == throttle.key_of("y"))) == 1
        request.rollback()
    assert not factory.problems


def test_signing_in_while_the_owner_changes_the_password_answers_no_5xx(backend):
    """The owner changes the password while the same account signs in from twelve other addresses at that instant
    (three times over): the change succeeds, each sign-in is let in or told its password is wrong, none answered 503.
    Before: the change was refused (429) because the twelve sign-ins in flight held the name's counter past its limit
    for a moment; and then PostgreSQL found deadlocks (503) as the change took the account's row, the name's counter
    and the clients' ones in another order than a sign-in does."""
    passwords = [PASSWORD, "Mat-khau-moi-2026-a", "Mat-khau-moi-2026-b", "Mat-khau-moi-2026-c"]
    with (committed_app(backend, "doi.mat.khau", "admin") as (app, _engine),
          TestClient(app, raise_server_exceptions=False, client=("198.51.100.1", 1)) as owner):
        for current, new in zip(passwords, passwords[1:], strict=False):
            statuses = _change_while_signing_in(app, owner, "doi.mat.khau", current, new)
            assert dict(statuses)[0] == 200, statuses
            assert all(code in (200, 401) for n, code in statuses if n), statuses


def _change_while_signing_in(app, owner: TestClient, name: str, current: str, new: str  # noqa: ANN001
                             ) -> list[tuple[int, int]]:
    """(0, the owner's change) and (n, the n-th of twelve sign-ins from other addresses), all sent at once."""
    token = _token(owner, name, current).json()["access_token"]
    clients = [TestClient(app, raise_server_exceptions=False, client=(f"203.0.113.{n}", 5000)) for n in range(12)]
    try:
        for c in clients:  # their counters for this name exist, as for people who signed in earlier today
            assert _token(c, name, current).status_code == 200

        def ask(n: int) -> tuple[int, int]:
            if n == 0:
                return n, owner.post("/api/v1/me/password", headers={"Authorization": f"Bearer {token}"},
                                     json={"current_password": current, "new_password": new}).status_code
            return n, _token(clients[n - 1], name, current).status_code

        return _at_once(1 + len(clients), ask)
    finally:
        for c in clients:
            c.close()
