"""Attendance marks: one per session and confirmed enrolment; corrections keep their history in the audit trail."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UtcDateTime, utcnow


class AttendanceMark(Base):
    __tablename__ = "attendance_mark"
    __table_args__ = (UniqueConstraint("session_id", "enrolment_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_session.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))  # present, late, excused, absent
    note: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(12))  # roll_call, check_in, import
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
