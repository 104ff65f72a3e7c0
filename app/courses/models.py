"""Courses: built from a pinned curriculum version, with the modules it teaches and any local additions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.curricula.models import CurriculumModule, CurriculumVersion
from app.db import Base, UtcDateTime, utcnow
from app.places.models import AdminUnit


class Course(Base):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. CT2-2026-24-001
    title: Mapped[str] = mapped_column(String(300))
    # Pinned: a course keeps the curriculum version it was built from, even after the files change.
    curriculum_version_id: Mapped[int] = mapped_column(ForeignKey("curriculum_version.id"), index=True)
    # The unit that organises the course; organisers see the courses inside their own unit.
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    curriculum_version: Mapped[CurriculumVersion] = relationship(lazy="raise")
    unit: Mapped[AdminUnit] = relationship(lazy="raise")
    modules: Mapped[list[CourseModule]] = relationship(order_by="CourseModule.position", lazy="raise",
                                                       back_populates="course")


class CourseModule(Base):
    """A module the course teaches: a copy of a curriculum module, or a local one the organiser added."""

    __tablename__ = "course_module"
    __table_args__ = (UniqueConstraint("course_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    curriculum_module_id: Mapped[int | None] = mapped_column(ForeignKey("curriculum_module.id"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(400))
    theory_hours: Mapped[float] = mapped_column(Float)
    practice_hours: Mapped[float] = mapped_column(Float)
    required: Mapped[bool] = mapped_column(Boolean)
    is_local: Mapped[bool] = mapped_column(Boolean, default=False)

    course: Mapped[Course] = relationship(back_populates="modules", lazy="raise")
    curriculum_module: Mapped[CurriculumModule | None] = relationship(lazy="raise")
    local_topics: Mapped[list[CourseLocalTopic]] = relationship(order_by="CourseLocalTopic.position", lazy="raise")


class CourseLocalTopic(Base):
    """A topic a course adds to one of its modules to fit local conditions (the letter allows this)."""

    __tablename__ = "course_local_topic"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_module_id: Mapped[int] = mapped_column(ForeignKey("course_module.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(600))
