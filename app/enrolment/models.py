"""Enrolments: who applied for which course, their status, waitlist position, and the reasons shown to them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    case,
    false,
    func,
    select,
    tuple_,
)
from sqlalchemy.orm import Mapped, aliased, column_property, mapped_column, relationship

from app.courses.models import Course
from app.db import Base, UtcDateTime, utcnow
from app.enrolment.rules import WAITLIST_KEY, EnrolmentStatus
from app.people.models import Trainee


class Enrolment(Base):
    """One person on one course. The unique pair is the last guard against duplicates under concurrency."""

    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("course_id", "trainee_id"),
                      # the waitlist's order within a course, for the positions worked out on every read
                      Index("ix_enrolment_waitlist", "course_id", "status", *WAITLIST_KEY))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    # The person's priority for this course when they registered (smaller first): with registered_at and trainee_id
    # it orders the waitlist (rules.WAITLIST_KEY) without re-ranking everyone in Python.
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
    # The results the reports count, kept by app.enrolment.results whenever a mark or a certificate is written
    # (never set by hand): marked present or late at one session at least, and holding a valid certificate.
    marked_present: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    certified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship(lazy="raise")
    trainee: Mapped[Trainee] = relationship(lazy="raise")


_ahead = aliased(Enrolment)
# The waitlist position, worked out whenever the row is read: 1 + the number waiting ahead in rules.WAITLIST_KEY's
# order. Never stored, so a registration or a withdrawal writes one row instead of shifting everyone behind it (under
# the course's lock), and the numbers are 1..n whatever happened.
Enrolment.waitlist_position = column_property(case(
    (Enrolment.status == EnrolmentStatus.WAITLISTED.value,
     select(func.count()).where(_ahead.course_id == Enrolment.course_id,
                                _ahead.status == EnrolmentStatus.WAITLISTED.value,
                                tuple_(*(getattr(_ahead, f) for f in WAITLIST_KEY))
                                <= tuple_(*(getattr(Enrolment, f) for f in WAITLIST_KEY)))
     .correlate_except(_ahead).scalar_subquery()),
    else_=None))


class CourseQuota(Base):
    """Seats reserved for one commune's officials in a multi-commune course."""

    __tablename__ = "course_quota"

    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), primary_key=True)
    seats: Mapped[int] = mapped_column(Integer)


class EnrolmentFact(Base):
    """What a report counts about the person for this course, as it was when the enrolment was decided: a later
    change of the person's record (position, commune, category, anonymisation) does not change a past course's
    figures. Statistics of a course, not identity: the ethnicity itself is never copied, only minority yes/no.

    ``source``: "recorded" (written by app.enrolment.facts when the enrolment was decided) or "backfilled" (copied
    once from the records of the day by the migration that introduced the table, for enrolments made before)."""

    __tablename__ = "enrolment_fact"

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)  # the official's unit then
    position: Mapped[str] = mapped_column(String(40))
    organisation_type: Mapped[str] = mapped_column(String(40))
    target_group_code: Mapped[str | None] = mapped_column(String(40), index=True)
    priority_rank: Mapped[int] = mapped_column(Integer, default=0)
    commune_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    sex: Mapped[str] = mapped_column(String(8))
    ethnic_minority: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(10), default="recorded")
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


# The results the reports read follow every write of a mark or a certificate (app.enrolment.results): hooked here,
# where every code that writes one already imports the model.
from app.enrolment import results  # noqa: E402, F401
