"""Sign-ups waiting for the organisers, and one-time invitations with which an official on record claims an account."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db import Base, UtcDateTime, utcnow
from app.places.models import AdminUnit


class SignUpStatus:
    PENDING = "pending"  # the organisers of the commune and its province have not decided yet
    CONFIRMED = "confirmed"  # a trainee record now belongs to the account
    REFUSED = "refused"


class SignUp(Base):
    """What a person typed at /signup, kept apart from the trainee records until an organiser decides.

    The account exists at once (so the answer is the same whoever else is on record), but it owns no record until
    then. `clash_trainee_id` marks a citizen ID already on record: a case for the organisers, never a takeover.
    The typed personal data are erased from here once the decision is made.
    """

    __tablename__ = "sign_up"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(120))
    citizen_id: Mapped[str | None] = mapped_column(String(12), index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default=SignUpStatus.PENDING, index=True)
    clash_trainee_id: Mapped[int | None] = mapped_column(ForeignKey("trainee.id", ondelete="SET NULL"))
    trainee_id: Mapped[int | None] = mapped_column(ForeignKey("trainee.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(500))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")
    unit: Mapped[AdminUnit] = relationship(lazy="raise")


class Invitation(Base):
    """A one-time code an organiser hands to an official on record. Only its hash is stored; it expires; the first
    claim uses it up."""

    __tablename__ = "trainee_invitation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
