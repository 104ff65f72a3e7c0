"""Accounts and sign-in: create users, check passwords with a throttle, issue and resolve sessions and tokens."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app import audit
from app.auth import rules
from app.auth.models import AuthSession, Role, SignInThrottle, User
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


def principal_for(user: User, ip_address: str | None) -> Principal:
    return Principal(user.id, user.username, user.full_name, user.role, user.unit_id, ip_address, user.locale)


def _policy() -> rules.ThrottlePolicy:
    s = get_settings()
    return rules.ThrottlePolicy(s.sign_in_max_failures, timedelta(minutes=s.sign_in_window_minutes),
                                timedelta(minutes=s.sign_in_lock_minutes))


def _state(row: SignInThrottle | None) -> rules.ThrottleState | None:
    if row is None:
        return None
    return rules.ThrottleState(row.failures, row.window_started_at, row.locked_until)


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
    problem = rules.password_problem(password, username, MIN_PASSWORD_LENGTH)
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


def authenticate(db: Session, username: str, password: str, ip_address: str | None) -> User:
    """Check a password. Repeated failures lock the name for a while (in the database: every process agrees)."""
    name = username.strip().lower()
    now = utcnow()
    throttle = db.get(SignInThrottle, name) if name else None
    wait = rules.locked_for(_state(throttle), now)
    if wait is not None:
        minutes = max(1, int(wait.total_seconds() // 60) + 1)
        raise DomainError("sign_in_locked",
                          f"Đăng nhập sai quá nhiều lần. Tài khoản tạm khoá, vui lòng thử lại sau {minutes} phút.",
                          status=429, headers={"Retry-After": str(int(wait.total_seconds()) + 1)})
    user = db.scalar(select(User).where(User.username == name)) if name else None
    if user is None:
        burn_time(password)
        ok, new_hash = False, None
    else:
        ok, new_hash = verify_password(password, user.password_hash)
    if not ok or user is None or not user.is_active:
        if name:
            state = rules.after_failure(_state(throttle), _policy(), now)
            if throttle is None:
                throttle = SignInThrottle(username=name)
                db.add(throttle)
            throttle.failures, throttle.window_started_at, throttle.locked_until = (
                state.failures, state.window_started_at, state.locked_until)
            audit.record(db, Principal.anonymous(ip_address), "auth.sign_in_failed", "user",
                         user.id if user else None, {"username": name, "failures": state.failures})
        raise Unauthenticated("Tên đăng nhập hoặc mật khẩu không đúng.", code="invalid_credentials")
    if throttle is not None:
        db.delete(throttle)
    if new_hash:
        user.password_hash = new_hash
    user.last_sign_in_at = now
    user.sign_in_count += 1
    db.flush()
    return user


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


def resolve(db: Session, token: str | None, kind: str) -> User | None:
    """The active user behind a session cookie or bearer token, or None when it is unknown or expired."""
    if not token or len(token) > 200:
        return None
    # One statement for the session and its user: every request pays it.
    found = db.execute(select(AuthSession, User).join(User, User.id == AuthSession.user_id)
                       .where(AuthSession.token_hash == _token_hash(token))).first()
    if found is None:
        return None
    row, user = found
    if row.kind != kind or row.expires_at <= utcnow():
        return None
    return user if user.is_active else None


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
