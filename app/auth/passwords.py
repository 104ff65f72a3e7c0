"""Argon2id password hashing through pwdlib, with the cost taken from settings."""
from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.config import get_settings

MIN_PASSWORD_LENGTH = 10


@lru_cache
def _hasher() -> PasswordHash:
    s = get_settings()
    return PasswordHash((Argon2Hasher(time_cost=s.argon2_time_cost, memory_cost=s.argon2_memory_kib,
                                      parallelism=s.argon2_parallelism),))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str) -> tuple[bool, str | None]:
    """(matches, a new hash when the stored one used weaker parameters)."""
    try:
        return _hasher().verify_and_update(password, password_hash)
    except Exception:  # a malformed stored hash must not become a 500 at sign-in
        return False, None


_DUMMY: str | None = None


def burn_time(password: str) -> None:
    """Spend one verification's worth of time for an unknown user, so timing does not reveal which names exist."""
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = hash_password("not-a-real-password")
    verify_password(password, _DUMMY)
