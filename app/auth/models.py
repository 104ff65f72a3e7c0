"""Accounts, their sign-in sessions and API tokens, and the sign-in throttle."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UtcDateTime, utcnow
from app.places.models import AdminUnit


class Role(StrEnum):
    ADMIN = "admin"  # everything, everywhere
    ORGANISER = "organiser"  # runs courses inside one unit (province, commune, or a former district)
    TRAINER = "trainer"  # teaches and takes attendance
    TRAINEE = "trainee"  # a commune official who attends


ROLE_LABELS_VI = {
    Role.ADMIN: "Quản trị hệ thống",
    Role.ORGANISER: "Cán bộ tổ chức",
    Role.TRAINER: "Giảng viên",
    Role.TRAINEE: "Học viên",
}


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sign_in_count: Mapped[int] = mapped_column(Integer, default=0)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    unit: Mapped[AdminUnit | None] = relationship(lazy="raise")


class AuthSession(Base):
    """A browser session or an API token. Only a hash of the secret is stored, so a database leak grants nothing."""

    __tablename__ = "auth_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # "web" or "api"
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ip_address: Mapped[str | None] = mapped_column(String(64))


class SignInThrottle(Base):
    """Failed attempts per account name, per client address, and per (account, address) pair.

    Kept in the database so every app process sees the same count, and changed only by one atomic statement
    (`app.auth.throttle`). Keys are SHA-256 hashes: the table holds no client address in clear. The scope "signup"
    and "claim" count sign-ups and invitation claims per address the same way.
    """

    __tablename__ = "sign_in_throttle"

    scope: Mapped[str] = mapped_column(String(8), primary_key=True)  # account, address, pair, signup, claim
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    account: Mapped[str | None] = mapped_column(String(64), index=True)  # the name, so an unlock finds its rows
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    admitted: Mapped[bool] = mapped_column(Boolean, default=True)  # whether the latest attempt was let through
