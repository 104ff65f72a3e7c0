"""Courses: built from a pinned curriculum version, with the modules it teaches and any local additions."""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    Time,
    UniqueConstraint,
    case,
    event,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.curricula.models import CurriculumModule, CurriculumVersion
from app.db import Base, UtcDateTime, utcnow
from app.issuers.models import IssuingBody
from app.places.models import AdminUnit


class Programme(Base):
    """The programme and period a course belongs to: data, not a constant (DOMAIN.md "what changed since 2025").
    Reports filter and total by it."""

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # e.g. "2021-2025-DA6-TDA1"
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    sub_project: Mapped[str] = mapped_column(String(200), default="")
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    # False while the programme's content is not confirmed by a source (the 2026–2035 successor today).
    confirmed: Mapped[bool] = mapped_column(Boolean, default=True)


class Course(Base):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. CT2-2026-24-001
    title: Mapped[str] = mapped_column(String(300))
    # Pinned: a course keeps the curriculum version it was built from, even after the files change.
    curriculum_version_id: Mapped[int] = mapped_column(ForeignKey("curriculum_version.id"), index=True)
    # The unit that organises the course; organisers see the courses inside their own unit.
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    # The programme and period it belongs to (app.courses.programmes chooses it by the course's year by default).
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id"), index=True)
    programme: Mapped[Programme | None] = relationship()  # loaded when read (the course page and API)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    # Who organises and who signs are data: ministries and departments were renamed and merged in 2025.
    organising_body: Mapped[str] = mapped_column(String(300), default="")
    signer_title: Mapped[str] = mapped_column(String(200), default="")
    signer_name: Mapped[str] = mapped_column(String(120), default="")
    # The body that signs the course's certificates and papers (its name, parent body, seal, signer, numbers).
    issuing_body_id: Mapped[int | None] = mapped_column(ForeignKey("issuing_body.id"), index=True)
    # The hours the certificate prints when the sessions do not tell them (None: the sum of the sessions).
    hours_override: Mapped[float | None] = mapped_column(Float)
    form: Mapped[str] = mapped_column(String(12), default="in_person")
    venue: Mapped[str | None] = mapped_column(String(300))
    capacity: Mapped[int | None] = mapped_column(Integer)
    registration_opens: Mapped[date | None] = mapped_column(Date)
    registration_closes: Mapped[date | None] = mapped_column(Date)
    start_date: Mapped[date | None] = mapped_column(Date, index=True)
    end_date: Mapped[date | None] = mapped_column(Date)
    # The completion rule starts as the curriculum's and may be adjusted for the course.
    min_attendance_share: Mapped[float] = mapped_column(Float, default=0.8)
    assessment_required: Mapped[bool] = mapped_column(Boolean, default=False)
    # Completion may also require this score (%) on the post-course test (Circular 03/2023/TT-BNV, Art. 6).
    post_test_min_percent: Mapped[float | None] = mapped_column(Float)
    late_counts_as_present: Mapped[bool] = mapped_column(Boolean, default=True)
    excused_counts: Mapped[bool] = mapped_column(Boolean, default=False)
    # Self check-in: a scan this many minutes after a session starts is marked late.
    late_after_minutes: Mapped[int] = mapped_column(Integer, default=15)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    allocation_mode: Mapped[str] = mapped_column(String(12), default="first_come")  # or "review"
    # Retraining: 0 takes people who completed the same curriculum before; N refuses those who did so less than N
    # years ago (an organiser may still nominate them with a written reason). See app.enrolment.rules.
    retraining_gap_years: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Entered after it took place (app.courses.past): no registration window, straight to finished.
    recorded_after: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    allocated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    curriculum_version: Mapped[CurriculumVersion] = relationship(lazy="raise")
    unit: Mapped[AdminUnit] = relationship(lazy="raise")
    issuing_body: Mapped[IssuingBody | None] = relationship(lazy="raise")
    modules: Mapped[list[CourseModule]] = relationship(order_by="CourseModule.position", lazy="raise",
                                                       back_populates="course")
    places: Mapped[list[CoursePlace]] = relationship(lazy="raise", cascade="all, delete-orphan")
    sessions: Mapped[list[CourseSession]] = relationship(
        order_by="(CourseSession.session_date, CourseSession.start_time)", lazy="raise", back_populates="course",
        cascade="all, delete-orphan")
    budget_lines: Mapped[list[BudgetLine]] = relationship(order_by="BudgetLine.id", lazy="raise",
                                                          cascade="all, delete-orphan")


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


class CoursePlace(Base):
    """A province or commune whose officials may enrol in the course."""

    __tablename__ = "course_place"

    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), primary_key=True)

    unit: Mapped[AdminUnit] = relationship(lazy="raise")


class Lecturer(Base):
    """Someone who teaches: from the provincial department, a college, the political school… May have an account."""

    __tablename__ = "lecturer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    full_name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(120), default="")  # e.g. "ThS.", "Phó Trưởng phòng"
    organisation: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(15))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)  # whose list it is on
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CourseSession(Base):
    """One teaching session: a half-day or exact times, the modules taught, the lecturer, the room or link."""

    __tablename__ = "course_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    session_date: Mapped[date] = mapped_column(Date, index=True)
    part_of_day: Mapped[str] = mapped_column(String(10))
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    lecturer_id: Mapped[int | None] = mapped_column(ForeignKey("lecturer.id"), index=True)
    room: Mapped[str | None] = mapped_column(String(200))
    online_link: Mapped[str | None] = mapped_column(String(500))
    topics_note: Mapped[str | None] = mapped_column(Text)
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # bumped on every change (iCalendar SEQUENCE)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship(back_populates="sessions", lazy="raise")
    lecturer: Mapped[Lecturer | None] = relationship(lazy="raise")
    modules: Mapped[list[CourseModule]] = relationship(secondary="course_session_module", lazy="raise",
                                                       order_by="CourseModule.position")


class CourseSessionModule(Base):
    __tablename__ = "course_session_module"

    session_id: Mapped[int] = mapped_column(ForeignKey("course_session.id", ondelete="CASCADE"), primary_key=True)
    course_module_id: Mapped[int] = mapped_column(ForeignKey("course_module.id", ondelete="CASCADE"),
                                                  primary_key=True)


class BudgetLine(Base):
    """A planned and actual amount of the course budget (VND), with its funding source. Rates are never coded."""

    __tablename__ = "budget_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(String(300), default="")
    planned_amount: Mapped[Decimal] = mapped_column(Numeric(16, 0))
    actual_amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 0))
    funding_source: Mapped[str] = mapped_column(String(20))


class CalendarFeed(Base):
    """The unguessable token in a person's calendar links; resetting it breaks every old link."""

    __tablename__ = "calendar_feed"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


def programme_for_year(year: int):  # noqa: ANN201
    """The programme id for a year: the one whose period covers it, else the latest that started before it."""
    return (select(Programme.id).where(Programme.start_year <= year)
            .order_by(case((Programme.end_year >= year, 0), else_=1), Programme.start_year.desc()).limit(1))


@event.listens_for(Course, "before_insert")
def _default_programme(_mapper, connection, course: Course) -> None:  # noqa: ANN001
    """Every course gets a programme, however it is made (a page, the API, an import, a past course, a test):
    the one of the year it starts, or of today while it has no dates (app.courses.programmes)."""
    if course.programme_id is None:
        course.programme_id = connection.scalar(programme_for_year((course.start_date or utcnow().date()).year))
