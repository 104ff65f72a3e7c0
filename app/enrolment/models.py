"""Enrolments: who applied for which course, their status, waitlist position, and the reasons shown to them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.courses.models import Course
from app.db import Base, UtcDateTime, utcnow
from app.people.models import Trainee


class Enrolment(Base):
    """One person on one course. The unique pair is the last guard against duplicates under concurrency."""

    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("course_id", "trainee_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    waitlist_position: Mapped[int | None] = mapped_column(Integer)
    # The person's priority for this course when they registered (smaller first), kept so that the waitlist can
    # be ordered and shifted in SQL instead of re-ranking everyone in Python on every registration.
    priority_rank: Mapped[int] = mapped_column(Integer, default=0)
    priority_sub_rank: Mapped[int] = mapped_column(Integer, default=0)
    reasons: Mapped[list[dict]] = mapped_column(JSON, default=list)  # [{code, vi, en}] shown to the person
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    nominated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    override_reason: Mapped[str | None] = mapped_column(Text)
    # The final assessment, when the course requires one (None: not assessed yet).
    assessment_passed: Mapped[bool | None] = mapped_column(Boolean)
    # Set when the organiser records the results: the attendance share and the reason for "not completed".
    attendance_share: Mapped[float | None] = mapped_column(Float)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship(lazy="raise")
    trainee: Mapped[Trainee] = relationship(lazy="raise")


class CourseQuota(Base):
    """Seats reserved for one commune's officials in a multi-commune course."""

    __tablename__ = "course_quota"

    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), primary_key=True)
    seats: Mapped[int] = mapped_column(Integer)
