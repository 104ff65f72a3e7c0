"""Training materials: one course's, or one curriculum module's (shared by every course of that curriculum).

A material is what people see (title, description, language, where it belongs); its files are versions, kept when
a file is replaced. File bytes live in the store under their SHA-256 (`app/materials/storage.py`), so the same file
is stored once however often it is attached.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UtcDateTime, utcnow


class Material(Base):
    __tablename__ = "material"
    __table_args__ = (
        # Exactly one home: a course, or a module of a curriculum (by codes, so that it spans the curriculum's
        # versions the way courses of different years do).
        CheckConstraint("(course_id IS NOT NULL AND curriculum_code IS NULL AND module_code IS NULL) OR "
                        "(course_id IS NULL AND curriculum_code IS NOT NULL AND module_code IS NOT NULL)",
                        name="one_home"),
        Index("ix_material_curriculum_code_module_code", "curriculum_code", "module_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    # Optional grouping of a course's own material under one of its modules (a local module included).
    course_module_id: Mapped[int | None] = mapped_column(ForeignKey("course_module.id", ondelete="SET NULL"))
    curriculum_code: Mapped[str | None] = mapped_column(ForeignKey("curriculum.code"))
    module_code: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="vi")
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"))  # the uploader's unit
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    download_count: Mapped[int] = mapped_column(Integer, default=0)
    last_downloaded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    delete_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def is_shared(self) -> bool:
        return self.course_id is None


class MaterialVersion(Base):
    """One file of a material. Never changed: replacing the file adds the next version."""

    __tablename__ = "material_version"
    __table_args__ = (UniqueConstraint("material_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("material.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # the storage key and the ETag
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))  # document, audio, video, image
    size: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(String(500), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
