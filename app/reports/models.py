"""Reports as submitted: a closed period's figures, workbook and CSV, kept unchanged; amendments beside them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UtcDateTime, utcnow


class ReportSubmission(Base):
    """One report as it was sent: who closed the period, when, and the exact files (with their checksums).
    An amendment is a later submission of the same scope and period, with the reason, never a change of this row."""

    __tablename__ = "report_submission"
    __table_args__ = (
        # One closing per scope and period; amendments follow it.
        Index("uq_report_submission_closed", "scope_key", "period_key", unique=True,
              postgresql_where=text("kind = 'submitted'"), sqlite_where=text("kind = 'submitted'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope_key: Mapped[str] = mapped_column(String(12), index=True)  # "" for the whole country, else a unit key
    scope_name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"))
    period_key: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(10))  # submitted, amendment
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("report_submission.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    figures: Mapped[dict] = mapped_column(JSON)
    workbook: Mapped[bytes] = mapped_column(LargeBinary)
    csv: Mapped[bytes] = mapped_column(LargeBinary)
    workbook_sha256: Mapped[str] = mapped_column(String(64))
    csv_sha256: Mapped[str] = mapped_column(String(64))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_by_label: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LateChange(Base):
    """A write to a closed period's figures made after it was submitted, with the reason given for it: listed beside
    the submitted report until an amendment covers it (``amendment_id``), never silent. One row per submission,
    course (or media product), kind of row and action of one flush."""

    __tablename__ = "report_late_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("report_submission.id"), index=True)
    amendment_id: Mapped[int | None] = mapped_column(ForeignKey("report_submission.id"))
    course_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key: the trace outlives a deleted course
    course_label: Mapped[str] = mapped_column(String(300), default="")  # the course's code (or the product's title)
    entity: Mapped[str] = mapped_column(String(40))  # the table written: course, enrolment, attendance_mark, …
    action: Mapped[str] = mapped_column(String(10))  # insert, update, delete
    count: Mapped[int] = mapped_column(Integer, default=1)
    entity_ids: Mapped[list] = mapped_column(JSON, default=list)  # the rows' ids (new rows have none yet)
    fields: Mapped[list] = mapped_column(JSON, default=list)  # the columns an update changed
    reason: Mapped[str] = mapped_column(Text)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    changed_by_label: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


from app.reports import late as _late  # noqa: E402, F401 - hooks the check of closed periods on every session
