"""An issuing body is a record, not free text per course: ministries and departments were renamed and merged in 2025
(Decree 43/2025/NĐ-CP), and a body's certificates keep the name, parent body, seal and signer it had when it issued."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UtcDateTime, utcnow
from app.places.models import AdminUnit


class IssuingBody(Base):
    """Cơ quan/đơn vị cấp: what the top-left block, the date line and the signer block of its papers print.
    Organisers of `unit_id` (and admins) manage it; courses of that unit pick one."""

    __tablename__ = "issuing_body"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The unit whose organisers manage this body (a province for a department, a commune for its office).
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))  # "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH"
    parent_name: Mapped[str] = mapped_column(String(300), default="")  # "UBND TỈNH BẮC NINH"
    # The symbol after the number on its papers ("Số: 12/QĐ-SVHTTDL"): the body's abbreviation.
    short_code: Mapped[str] = mapped_column(String(30), default="")
    place_name: Mapped[str] = mapped_column(String(100), default="")  # the date line: "Bắc Ninh, ngày … tháng …"
    seal_image: Mapped[bytes | None] = mapped_column(LargeBinary)  # PNG, printed under the signature
    seal_media_type: Mapped[str | None] = mapped_column(String(40))
    signer_title: Mapped[str] = mapped_column(String(200), default="")  # "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC"
    signer_name: Mapped[str] = mapped_column(String(120), default="")
    # Certificate numbers of this body: {n} (or {n:04d}), {year}, {code} (short_code).
    number_pattern: Mapped[str] = mapped_column(String(60), default="{n}/{year}/GCN")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[AdminUnit] = relationship(lazy="raise")


class SealImage(Base):
    """Every seal a certificate was printed with, by content: a certificate renders again with the seal it had,
    after the body's seal has been replaced. Added by the `issuer` branch (the body's current seal stays on it)."""

    __tablename__ = "seal_image"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
