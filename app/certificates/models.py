"""Certificates: what was issued to whom (a snapshot of what the page says), its number and register entry, the
code anyone can verify it by, revocation and replacement; the counters that hand out numbers."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UtcDateTime, utcnow


class Certificate(Base):
    __tablename__ = "certificate"
    __table_args__ = (
        # Issuing twice never makes two certificates: one valid certificate per enrolment.
        Index("uq_certificate_valid_enrolment", "enrolment_id", unique=True,
              postgresql_where=text("status = 'valid'"), sqlite_where=text("status = 'valid'")),
        # Numbers are counted per issuing body and year, register entries per body (Circular 03/2023/TT-BNV's sổ cấp).
        Index("uq_certificate_body_year_number", "issuing_body_id", "year", "sequence", unique=True),
        Index("uq_certificate_body_register_entry", "issuing_body_id", "register_entry", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    issuer_unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"))
    issuing_body_id: Mapped[int | None] = mapped_column(ForeignKey("issuing_body.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)  # the n in the number, per issuing body and year
    number: Mapped[str] = mapped_column(String(60))  # "123/2026/GCN"
    register_entry: Mapped[int] = mapped_column(Integer)  # the line in the body's register book (sổ cấp)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # verification code, 100 random bits
    status: Mapped[str] = mapped_column(String(10), default="valid", index=True)  # valid, revoked
    data: Mapped[dict] = mapped_column(JSON)  # what the certificate says, as issued
    qr: Mapped[bytes] = mapped_column(LargeBinary)  # the QR matrix, computed once at issue
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)  # the internal note: for colleagues, never public
    revoke_category: Mapped[str | None] = mapped_column(String(20))  # rules.REVOKE_CATEGORIES, shown publicly
    revoke_public_note: Mapped[str | None] = mapped_column(Text)  # optional text for the public verify page
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))


class CertificateCounter(Base):
    """The last number handed out per issuing body and year (year 0: the body's register book, which does not
    restart). Keyed by body, so two bodies of one province, or a former body and its successor, keep own series."""

    __tablename__ = "certificate_counter"

    issuing_body_id: Mapped[int] = mapped_column(ForeignKey("issuing_body.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class VerifyThrottle(Base):
    """Look-ups of /verify per client address in the current minute, in the database so every process counts."""

    __tablename__ = "verify_throttle"

    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    count: Mapped[int] = mapped_column(Integer, default=0)
