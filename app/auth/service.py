"""Accounts and sign-in: create users, check passwords with a throttle, issue and resolve sessions and tokens."""
from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session

from app import audit
from app.auth import rules, throttle
from app.auth.models import AuthSession, Role, User
from app.auth.passwords import MIN_PASSWORD_LENGTH, burn_time, hash_password, verify_password
from app.auth.principal import Principal
from app.config import get_settings
from app.core.text import clean_name
from app.db import utcnow
from app.errors import Conflict, DomainError, Invalid, NotFound, Unauthenticated
from app.places import service as places
from app.places.models import AdminUnit

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_hash(token: str) -> str:
    """The stored form of a session secret (the account page marks "this browser" with it)."""
    return _token_hash(token) if token else ""


def principal_for(user: User, ip_address: str | None) -> Principal:
    return Principal(user.id, user.username, user.full_name, user.role, user.unit_id, ip_address, user.locale)


def account_policy() -> rules.ThrottlePolicy:
    s = get_settings()
    return rules.ThrottlePolicy(s.sign_in_max_failures, timedelta(minutes=s.sign_in_lock_minutes),
                                timedelta(minutes=s.sign_in_lock_max_minutes), timedelta(hours=s.sign_in_memory_hours))


def address_policy(limit: int | None = None) -> rules.ThrottlePolicy:
    s = get_settings()
    return rules.ThrottlePolicy(limit or s.sign_in_address_max_failures, timedelta(minutes=s.sign_in_lock_minutes),
                                timedelta(minutes=s.sign_in_lock_max_minutes), timedelta(hours=s.sign_in_memory_hours))


_PAIR_POLICY = rules.ThrottlePolicy(10**9, timedelta(0), timedelta(0), timedelta(hours=24))


def _minutes(wait: timedelta) -> int:
    return max(1, int(wait.total_seconds() // 60) + 1)


def too_many(message: str, wait: timedelta) -> DomainError:
    return DomainError("sign_in_locked", message, status=429,
                       headers={"Retry-After": str(int(wait.total_seconds()) + 1)})


def create_user(db: Session, actor: Principal, *, username: str, password: str, role: str, full_name: str = "",
                unit: AdminUnit | None = None, locale: str = "vi", is_demo: bool = False) -> User:
    """Create an account. An organiser must have a unit: it is the limit of what they may see and change."""
    username = username.strip().lower()
    if not USERNAME_RE.fullmatch(username):
        raise Invalid("invalid_username", "Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu chấm, gạch ngang hoặc "
                      "gạch dưới (2–64 ký tự).", field="username")
    if role not in set(Role):
        raise Invalid("invalid_role", f"Vai trò không hợp lệ: {role}.", field="role")
    if role == Role.ORGANISER and unit is None:
        raise Invalid("unit_required", "Cán bộ tổ chức phải gắn với một đơn vị (tỉnh, xã hoặc huyện cũ).",
                      field="unit")
    problem = rules.password_problem(password, username, MIN_PASSWORD_LENGTH, (full_name,))
    if problem:
        raise Invalid("weak_password", problem, field="password")
    if db.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("username_taken", f"Tên đăng nhập “{username}” đã được dùng.", field="username")
    user = User(username=username, full_name=clean_name(full_name) or username, role=role,
                unit_id=unit.id if unit else None, password_hash=hash_password(password), locale=locale,
                is_demo=is_demo)
    db.add(user)
    db.flush()
    audit.record(db, actor, "user.create", "user", user.id,
                 {"username": username, "role": role, "unit": unit.key if unit else None})
    return user


@dataclass(frozen=True)
class _Found:
    user_id: int
    password_hash: str
    is_active: bool


def _reserve(side: Session, name: str, ip: str | None, now: datetime
             ) -> tuple[rules.Verdict, throttle.Count | None, _Found | None]:
    """Count this attempt on the three counters and read the account, in a short transaction of its own."""
    address = throttle.count(side, throttle.ADDRESS, throttle.key_of(ip), address_policy(), now)
    verdict = rules.Verdict(False, "address", address.wait(now))
    account = None
    if address.admitted:
        pair = throttle.count(side, throttle.PAIR, throttle.key_of(name, ip), _PAIR_POLICY, now, account=name[:64])
        account = throttle.count(side, throttle.ACCOUNT, throttle.key_of(name), account_policy(), now,
                                 account=name[:64])
        verdict = rules.judge_attempt(address_admitted=True, address_wait=timedelta(0),
                                      account_admitted=account.admitted, account_wait=account.wait(now),
                                      client_failures=pair.failures - 1)
    found = None
    if verdict.admitted and name:
        row = side.execute(select(User.id, User.password_hash, User.is_active).where(User.username == name)).first()
        found = _Found(*row) if row else None
    return verdict, account, found


def authenticate(db: Session, counters: Callable[[], Session], username: str, password: str,
                 ip_address: str | None) -> User:
    """Check a password, counting the attempt first so that no number of simultaneous guesses gets past the limit.

    `counters` opens a session of its own: the count is committed before the slow password check, which then holds
    no lock, and every other process sees it at once. Every failure, refused or wrong, is audited: the refusal
    carries its event (`audit.on_refusal`), which the request boundary writes after rolling the request back.
    `db` is first used after the count is committed (on SQLite the request's transaction takes the write lock).
    """
    name = username.strip().lower()
    now = utcnow()
    with counters() as side:
        verdict, account, found = _reserve(side, name, ip_address, now)
        side.commit()
    anonymous = Principal.anonymous(ip_address)
    if not verdict.admitted:
        if verdict.reason == "address":
            refused = too_many("Có quá nhiều lần đăng nhập sai từ địa chỉ mạng này. Vui lòng thử lại sau "
                               f"{_minutes(verdict.retry_after)} phút.", verdict.retry_after)
        else:
            refused = too_many("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau "
                               f"{_minutes(verdict.retry_after)} phút, hoặc nhờ cán bộ tổ chức mở khoá tài khoản.",
                               verdict.retry_after)
        raise audit.on_refusal(refused, anonymous, "auth.sign_in_failed", "user", found.user_id if found else None,
                               {"username": name[:64], "reason": f"throttled_{verdict.reason}"})
    if found is None:
        burn_time(password)
        ok, new_hash = False, None
    else:
        ok, new_hash = verify_password(password, found.password_hash)
    if not ok or found is None or not found.is_active:
        raise audit.on_refusal(Unauthenticated("Tên đăng nhập hoặc mật khẩu không đúng.", code="invalid_credentials"),
                               anonymous, "auth.sign_in_failed", "user", found.user_id if found else None,
                               {"username": name[:64], "reason": "password",
                                "failures": account.failures if account else 0})
    user = db.get(User, found.user_id)
    if user is None:  # deleted in between
        raise Unauthenticated("Tên đăng nhập hoặc mật khẩu không đúng.", code="invalid_credentials")
    # The right password takes back what this attempt added, and clears this client's record for the name. The
    # name's own count stays: the owner signing in must not hand a stranger a fresh set of guesses.
    # The counters' rows in `_reserve`'s order (address, client, name): another sign-in counting them meanwhile takes
    # them in that order too, and the other way round PostgreSQL found deadlocks (twenty sign-ins at once: 503s).
    throttle.forgive(db, throttle.ADDRESS, throttle.key_of(ip_address), address_policy())
    throttle.clear(db, throttle.PAIR, throttle.key_of(name, ip_address))
    if account is not None and account.admitted:
        throttle.forgive(db, throttle.ACCOUNT, throttle.key_of(name), account_policy())
    if new_hash:
        user.password_hash = new_hash
    user.last_sign_in_at = now
    user.sign_in_count = User.sign_in_count + 1  # counted by the database: sign-ins at once each add theirs
    db.flush()
    return user


def unlock(db: Session, actor: Principal, user_id: int) -> User:
    """Forget a name's failed sign-ins: an admin, an organiser whose unit holds the account, or its owner."""
    user = get_user(db, actor, user_id)
    if not (actor.is_admin or actor.user_id == user.id or actor.role == Role.ORGANISER):
        raise NotFound("Không tìm thấy tài khoản.")
    if user.role == Role.ADMIN and not (actor.is_admin or actor.user_id == user.id):
        raise NotFound("Không tìm thấy tài khoản.")
    removed = throttle.clear_account(db, user.username)
    audit.record(db, actor, "user.unlock", "user", user.id, {"counters": removed})
    return user


def lock_state(db: Session, usernames: list[str]) -> dict[str, datetime]:
    return throttle.locked_accounts(db, usernames, account_policy(), utcnow())


def remembered_failures(db: Session, username: str) -> int:
    return throttle.failures_for(db, username, account_policy(), utcnow())


def change_password(db: Session, counters: Callable[[], Session], actor: Principal, current: str, new: str,
                    keep_token: str | None) -> int:
    """Change one's own password after proving the current one; every other session and API token ends.

    The current password is a password check like sign-in: counted first on the name's counter, so a stolen
    session cannot be used to guess it. Returns how many sessions and tokens were ended."""
    if actor.user_id is None:
        raise Unauthenticated()
    # The new password is judged first: a refusal then writes nothing and spends none of the account's guesses.
    # The caller's name comes from the principal (read from the account for this request): `db` is not touched
    # before the guess is counted, because on SQLite the request's transaction takes the write lock at its first
    # statement and the counter's own transaction would then wait for it until the busy timeout (503).
    problem = rules.password_problem(new, actor.username, MIN_PASSWORD_LENGTH, (actor.full_name,))
    if problem:
        raise Invalid("weak_password", problem, field="new_password")
    if new == current:
        raise Invalid("same_password", "Mật khẩu mới phải khác mật khẩu hiện tại.", field="new_password")
    now = utcnow()
    with counters() as side:
        # Judged as a sign-in is (`_reserve`, the same counters in the same order): a client that has (almost) not
        # been failing for this name is let in even while strangers' guesses, or many sign-ins in flight at this
        # instant, hold the name's counter past its limit; a session that keeps guessing waits out the name's delay.
        pair = throttle.count(side, throttle.PAIR, throttle.key_of(actor.username, actor.ip_address), _PAIR_POLICY,
                              now, account=actor.username)
        counted = throttle.count(side, throttle.ACCOUNT, throttle.key_of(actor.username), account_policy(), now,
                                 account=actor.username)
        side.commit()
    verdict = rules.judge_attempt(address_admitted=True, address_wait=timedelta(0), account_admitted=counted.admitted,
                                  account_wait=counted.wait(now), client_failures=pair.failures - 1)
    user = db.get(User, actor.user_id)
    if user is None:
        raise Unauthenticated()
    if not verdict.admitted:
        raise audit.on_refusal(too_many("Nhập sai mật khẩu quá nhiều lần. Vui lòng thử lại sau "
                                        f"{_minutes(verdict.retry_after)} phút.", verdict.retry_after),
                               actor, "user.change_password_refused", "user", user.id, {"reason": "throttled"})
    ok, _ = verify_password(current, user.password_hash)
    if not ok:
        # The one write a refusal keeps: its audit event, written after the request is rolled back.
        raise audit.on_refusal(Invalid("wrong_password", "Mật khẩu hiện tại không đúng.", field="current_password"),
                               actor, "user.change_password_refused", "user", user.id)
    # The counters (this attempt's counts too) before the account's row: a sign-in for this name running meanwhile
    # takes them in that order too (`authenticate`), so the two wait for each other instead of deadlocking.
    throttle.clear_account(db, user.username)
    user.password_hash = hash_password(new)
    ended = _end_other_sessions(db, user.id, keep_token)
    audit.record(db, actor, "user.change_password", "user", user.id, {"sessions_ended": ended})
    return ended


def _end_other_sessions(db: Session, user_id: int, keep_token: str | None) -> int:
    stmt = delete(AuthSession).where(AuthSession.user_id == user_id)
    if keep_token:
        stmt = stmt.where(AuthSession.token_hash != _token_hash(keep_token))
    return db.execute(stmt).rowcount or 0


def end_other_sessions(db: Session, actor: Principal, keep_token: str | None) -> int:
    """Sign out everywhere else: every other browser session and every API token of the caller end now."""
    if actor.user_id is None:
        raise Unauthenticated()
    ended = _end_other_sessions(db, actor.user_id, keep_token)
    audit.record(db, actor, "auth.end_other_sessions", "user", actor.user_id, {"sessions_ended": ended})
    return ended


def sessions_of(db: Session, user_id: int) -> list[AuthSession]:
    return list(db.scalars(select(AuthSession).where(AuthSession.user_id == user_id,
                                                     AuthSession.expires_at > utcnow())
                           .order_by(AuthSession.created_at.desc())))


def start_session(db: Session, user: User, kind: str, ip_address: str | None) -> str:
    """Issue a random secret (cookie or bearer token); only its hash is kept."""
    s = get_settings()
    # Expired sessions of this person go now, so the table does not grow with every sign-in.
    db.execute(delete(AuthSession).where(AuthSession.user_id == user.id, AuthSession.expires_at <= utcnow()))
    token = secrets.token_urlsafe(32)
    hours = s.web_session_hours if kind == "web" else s.api_token_hours
    db.add(AuthSession(token_hash=_token_hash(token), user_id=user.id, kind=kind,
                       expires_at=utcnow() + timedelta(hours=hours), ip_address=ip_address))
    audit.record(db, principal_for(user, ip_address), f"auth.sign_in.{kind}", "user", user.id)
    db.flush()
    return token


# Every request's first statement, built once (building it cost more CPU than sending it).
_RESOLVE = (select(AuthSession.kind, AuthSession.expires_at, User.is_active, User.id, User.username, User.full_name,
                   User.role, User.unit_id, User.locale)
            .join(User, User.id == AuthSession.user_id)
            .where(AuthSession.token_hash == bindparam("token_hash")))


def resolve(db: Session, token: str | None, kind: str, ip_address: str | None = None) -> Principal | None:
    """Who is behind a session cookie or bearer token (an active user), or None when it is unknown or expired.

    One statement for the session and its user, of the columns a principal needs: every request pays it."""
    if not token or len(token) > 200:
        return None
    found = db.execute(_RESOLVE, {"token_hash": _token_hash(token)}).first()
    if found is None:
        return None
    session_kind, expires_at, active, *user = found
    if session_kind != kind or expires_at <= utcnow() or not active:
        return None
    user_id, username, full_name, role, unit_id, locale = user
    return Principal(user_id, username, full_name, role, unit_id, ip_address, locale)


def end_session(db: Session, token: str | None, actor: Principal) -> None:
    if token:
        db.execute(delete(AuthSession).where(AuthSession.token_hash == _token_hash(token)))
        audit.record(db, actor, "auth.sign_out", "user", actor.user_id)


def set_locale(db: Session, actor: Principal, locale: str) -> None:
    if actor.user_id is None:
        return
    user = db.get(User, actor.user_id)
    if user is not None and user.locale != locale:
        audit.record(db, actor, "user.set_locale", "user", user.id, {"locale": [user.locale, locale]})
        user.locale = locale


def list_users(db: Session, actor: Principal) -> list[User]:
    """Accounts the caller may see: all for an admin, those inside the organiser's unit otherwise."""
    stmt = select(User).order_by(User.username)
    if not actor.is_admin:
        stmt = stmt.where(User.unit_id.in_(places.unit_ids_within(db, actor.unit_id)))
    return list(db.scalars(stmt))


def get_user(db: Session, actor: Principal, user_id: int) -> User:
    """One account, or 404 when it does not exist or lies outside the caller's unit."""
    user = db.get(User, user_id)
    if user is None or not (actor.is_admin or actor.user_id == user.id
                            or places.is_within(db, user.unit_id, actor.unit_id)):
        raise NotFound("Không tìm thấy tài khoản.")
    return user


def count_users(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(User)) or 0


def demo_usernames(db: Session) -> list[str]:
    return list(db.scalars(select(User.username).where(User.is_demo.is_(True)).order_by(User.id)))
