"""Pure decisions about sign-in throttling and passwords (no web framework, no database session)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int
    window: timedelta
    lock: timedelta


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    window_started_at: datetime
    locked_until: datetime | None


def locked_for(state: ThrottleState | None, now: datetime) -> timedelta | None:
    """How long the account name stays locked, or None when a sign-in may be tried."""
    if state is None or state.locked_until is None or state.locked_until <= now:
        return None
    return state.locked_until - now


def after_failure(state: ThrottleState | None, policy: ThrottlePolicy, now: datetime) -> ThrottleState:
    """Count one failure; the count restarts when the window has passed; reaching the limit locks the name."""
    if state is None or now - state.window_started_at > policy.window or (
            state.locked_until is not None and state.locked_until <= now):
        state = ThrottleState(failures=0, window_started_at=now, locked_until=None)
    failures = state.failures + 1
    locked_until = now + policy.lock if failures >= policy.max_failures else None
    return ThrottleState(failures=failures, window_started_at=state.window_started_at, locked_until=locked_until)


def password_problem(password: str, username: str, min_length: int) -> str | None:
    """Why a new password is refused (Vietnamese), or None when it is acceptable."""
    if len(password) < min_length:
        return f"Mật khẩu phải có ít nhất {min_length} ký tự."
    if password.lower() == username.lower():
        return "Mật khẩu không được trùng với tên đăng nhập."
    return None
