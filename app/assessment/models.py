"""Question banks, tests and attempts; the course evaluation's questionnaire, who has answered it, and the answers,
kept apart so that no row links an answer to a person."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UtcDateTime, utcnow


class QuestionBank(Base):
    """Questions for one curriculum module (shared by every course of the curriculum) or one course's local topic."""

    __tablename__ = "question_bank"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    curriculum_code: Mapped[str | None] = mapped_column(String(20), index=True)
    module_code: Mapped[str | None] = mapped_column(String(20))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"), index=True)
    # Who manages it: organisers of this unit (None: the whole country, admins only).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Question(Base):
    """One version of a question. Editing makes a new version; attempts keep a copy of what they showed."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_bank.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    body: Mapped[dict] = mapped_column(JSON)  # rules.Question.as_dict()
    mark: Mapped[float] = mapped_column(Float, default=1.0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("question.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CourseTest(Base):
    """A pre-test, post-test or other test of a course, drawn from banks."""

    __tablename__ = "course_test"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # pre, post, other
    title: Mapped[str] = mapped_column(String(300))
    opens_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    max_attempts: Mapped[int] = mapped_column(Integer, default=1)
    # fixed: every listed question; random: draw_count questions per person from the listed banks.
    draw: Mapped[str] = mapped_column(String(8), default="fixed")
    draw_count: Mapped[int | None] = mapped_column(Integer)
    question_ids: Mapped[list] = mapped_column(JSON, default=list)
    bank_ids: Mapped[list] = mapped_column(JSON, default=list)
    one_per_screen: Mapped[bool] = mapped_column(Boolean, default=False)
    show_after: Mapped[str] = mapped_column(String(8), default="score")  # score, answers
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Attempt(Base):
    """One person's attempt at a test, with the questions as they were shown and the answers saved as they go."""

    __tablename__ = "test_attempt"
    __table_args__ = (UniqueConstraint("test_id", "enrolment_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    test_id: Mapped[int] = mapped_column(ForeignKey("course_test.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(8), default="online")  # online, paper
    questions: Mapped[list] = mapped_column(JSON, default=list)  # [{"id", "mark", "body"}], as shown
    answers: Mapped[list] = mapped_column(JSON, default=list)  # one per question, None until answered
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    points: Mapped[float | None] = mapped_column(Float)
    total: Mapped[float | None] = mapped_column(Float)
    percent: Mapped[float | None] = mapped_column(Float)


class EvaluationForm(Base):
    """The course's questionnaire (phiếu đánh giá khoá học): items copied from the default and adjusted."""

    __tablename__ = "evaluation_form"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), unique=True)
    items: Mapped[list] = mapped_column(JSON)  # [{"key", "kind": likert|text, "vi", "en", "lecturer_id"?}]
    closes_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class EvaluationReceipt(Base):
    """That a participant has answered (one response each), and nothing else: no time, no answer, no link."""

    __tablename__ = "evaluation_receipt"

    form_id: Mapped[int] = mapped_column(ForeignKey("evaluation_form.id", ondelete="CASCADE"), primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), primary_key=True)


class EvaluationResponse(Base):
    """An anonymous answer: a random key, the form, the answers. No person, no time, no sequential id."""

    __tablename__ = "evaluation_response"
    __table_args__ = {"sqlite_with_rowid": False}

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("evaluation_form.id", ondelete="CASCADE"), index=True)
    answers: Mapped[dict] = mapped_column(JSON)
