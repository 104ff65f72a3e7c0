"""A course's paperwork: every document generated (who, when, from which data), the number and signing date the
office gave it, the templates a province replaced, and the payment rates taken from the course's budget lines."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Integer, LargeBinary, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UtcDateTime, utcnow


class CourseDocument(Base):
    """One generation of one document. `data` is the snapshot it was made from (every field the template saw), so
    the same document can be produced again after the course changes; `data_sha256` names that data."""

    __tablename__ = "course_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    options: Mapped[dict] = mapped_column(JSON, default=dict)  # what the organiser chose (summons mode, bases…)
    data: Mapped[dict] = mapped_column(JSON)
    data_sha256: Mapped[str] = mapped_column(String(64))
    template_sha256: Mapped[str] = mapped_column(String(64))  # the template it was first made with
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    generated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Recorded when the office registers the signed paper (until then the number is left blank on the paper).
    number: Mapped[str | None] = mapped_column(String(40))
    signed_on: Mapped[date | None] = mapped_column(Date)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    registered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # summons sent to the participants


class DocumentTemplate(Base):
    """A province's own .docx template for one kind of document; without one, the shipped template is used."""

    __tablename__ = "document_template"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class PaymentRate(Base):
    """What one person is paid per day, night, trip, session or hour, taken from one of the course's budget lines
    (Ministry of Finance norms and provincial rates differ, so they are data, never constants)."""

    __tablename__ = "payment_rate"
    __table_args__ = (UniqueConstraint("course_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # per_diem, travel, accommodation, lecturer_fee
    per: Mapped[str] = mapped_column(String(10))  # day, night, trip, session, hour
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 0))
    budget_line_id: Mapped[int] = mapped_column(ForeignKey("budget_line.id", ondelete="CASCADE"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
