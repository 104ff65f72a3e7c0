"""Trainees: the commune officials the programme trains."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UtcDateTime, utcnow
from app.places.models import AdminUnit


class TraineeStatus:
    ACTIVE = "active"
    PENDING = "pending"  # signed up themselves; an organiser has not confirmed them yet


class Trainee(Base):
    """One official. Citizen ID, phone and birth date are personal data; ethnicity is sensitive (Law 91/2025)."""

    __tablename__ = "trainee"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    full_name: Mapped[str] = mapped_column(String(120))
    search_name: Mapped[str] = mapped_column(String(120), index=True)  # folded: "nguyen thi hong nhung"
    sex: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[date] = mapped_column(Date)
    ethnicity: Mapped[str] = mapped_column(String(24))
    citizen_id: Mapped[str] = mapped_column(String(12), unique=True)
    phone: Mapped[str | None] = mapped_column(String(15))
    email: Mapped[str | None] = mapped_column(String(254))
    position: Mapped[str] = mapped_column(String(40))
    organisation_type: Mapped[str] = mapped_column(String(40))
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    in_charge_of_radio: Mapped[bool] = mapped_column(Boolean, default=False)
    commune_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Derived from position and organisation by app.people.rules.place at every write; kept for filtering.
    target_group_code: Mapped[str | None] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(12), default=TraineeStatus.ACTIVE, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[AdminUnit] = relationship(lazy="raise")
