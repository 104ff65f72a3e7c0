"""Attempt counters for sign-in, sign-up and invitation claims, each changed by one atomic statement.

An attempt is counted *before* the password is checked, by one `INSERT … ON CONFLICT DO UPDATE … RETURNING` on both
databases: the row's update is atomic (PostgreSQL locks the row, SQLite has one writer), so ten guesses sent at once
are numbered 1 to 10 and only those under the limit are checked. Nothing is read in Python and written back.
A successful sign-in then takes its own attempt back (`forgive`), so people who type their password right never
add up. Keys are SHA-256 hashes of the name or address, so the table stores no client address in clear.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, literal, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.auth import rules
from app.auth.models import SignInThrottle
from app.db import UtcDateTime

ACCOUNT, ADDRESS, PAIR, SIGNUP, CLAIM = "account", "address", "pair", "signup", "claim"
_T = SignInThrottle.__table__


def key_of(*parts: str | None) -> str:
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode()).hexdigest()


@dataclass(frozen=True)
class Count:
    admitted: bool  # this attempt was under the limit (or the delay had passed) and was counted
    failures: int  # attempts counted in the current memory, this one included when admitted
    locked_until: datetime | None

    def wait(self, now: datetime) -> timedelta:
        return max(self.locked_until - now, timedelta(0)) if self.locked_until else timedelta(0)


def _at(value: datetime):  # noqa: ANN202 - a bound timestamp of the column's own type on both databases
    return literal(value, UtcDateTime())


def count(db: Session, scope: str, key: str, policy: rules.ThrottlePolicy, now: datetime,
          account: str | None = None) -> Count:
    """Count one attempt if the counter is open; answer whether it was. One statement, atomic on both databases."""
    fresh = _T.c.last_failure_at <= _at(now - policy.memory)
    base = case((fresh, 0), else_=_T.c.failures)
    is_open = or_(fresh, _T.c.failures < policy.max_failures, _T.c.locked_until.is_(None),
                  _T.c.locked_until <= _at(now))
    new_failures = base + 1
    schedule = rules.lock_schedule(policy)
    lock = case((new_failures < policy.max_failures, null()),
                *[(new_failures == n, _at(now + d)) for n, d in schedule.items()],
                else_=_at(now + policy.max_lock))
    first_lock = rules.lock_after(1, policy)
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(_T).values(scope=scope, key=key, account=account, failures=1, last_failure_at=now,
                                     locked_until=now + first_lock if first_lock else None, admitted=True)
    stmt = stmt.on_conflict_do_update(index_elements=[_T.c.scope, _T.c.key], set_={
        "failures": case((is_open, new_failures), else_=_T.c.failures),
        "locked_until": case((is_open, lock), else_=_T.c.locked_until),
        "last_failure_at": case((is_open, _at(now)), else_=_T.c.last_failure_at),
        "admitted": is_open,
    }).returning(_T.c.admitted, _T.c.failures, _T.c.locked_until)
    row = db.execute(stmt).one()
    return Count(bool(row.admitted), row.failures, row.locked_until)


def forgive(db: Session, scope: str, key: str, policy: rules.ThrottlePolicy) -> None:
    """Take back one counted attempt that turned out right (a correct password from a shared office address)."""
    db.execute(update(SignInThrottle).where(SignInThrottle.scope == scope, SignInThrottle.key == key,
                                            SignInThrottle.failures > 0)
               .values(failures=SignInThrottle.failures - 1,
                       locked_until=case((SignInThrottle.failures - 1 < policy.max_failures, null()),
                                         else_=SignInThrottle.locked_until)))


def clear(db: Session, scope: str, key: str) -> None:
    db.execute(delete(SignInThrottle).where(SignInThrottle.scope == scope, SignInThrottle.key == key))


def clear_account(db: Session, username: str) -> int:
    """Unlock a name: forget its failures and those of every client that failed for it.

    The clients' rows first, then the name's: the order in which a sign-in counts and forgives them
    (app.auth.service), so that one running meanwhile for this name waits for this transaction instead of
    deadlocking with it."""
    removed = 0
    for scope in (PAIR, ACCOUNT):
        removed += db.execute(delete(SignInThrottle).where(SignInThrottle.account == username,
                                                           SignInThrottle.scope == scope)).rowcount or 0
    return removed


def locked_accounts(db: Session, usernames: list[str], policy: rules.ThrottlePolicy, now: datetime
                    ) -> dict[str, datetime]:
    """Which of these names are locked now, and until when (for the list of accounts and its unlock button)."""
    if not usernames:
        return {}
    rows = db.execute(select(SignInThrottle.account, SignInThrottle.locked_until).where(
        SignInThrottle.scope == ACCOUNT, SignInThrottle.account.in_(usernames),
        SignInThrottle.locked_until > now, SignInThrottle.last_failure_at > now - policy.memory))
    return {name: until for name, until in rows if name}


def failures_for(db: Session, username: str, policy: rules.ThrottlePolicy, now: datetime) -> int:
    """Failed attempts remembered for a name (shown to its owner on the account page)."""
    return db.scalar(select(SignInThrottle.failures).where(
        and_(SignInThrottle.scope == ACCOUNT, SignInThrottle.key == key_of(username),
             SignInThrottle.last_failure_at > now - policy.memory))) or 0
