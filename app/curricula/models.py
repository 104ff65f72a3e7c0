"""Curricula in the database: every synced version is kept; courses pin the version they were built from."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UtcDateTime, utcnow


class TargetGroup(Base):
    """A group of officials the programme trains (đối tượng bồi dưỡng), from curricula/target-groups.yaml."""

    __tablename__ = "target_group"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    description_vi: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)


class Curriculum(Base):
    """One of the Decision 1288 curricula (CT1–CT4); its content lives in its versions."""

    __tablename__ = "curriculum"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    latest_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("curriculum_version.id", use_alter=True, name="fk_curriculum_latest_version_id_curriculum_version"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    latest_version: Mapped[CurriculumVersion | None] = relationship(foreign_keys=[latest_version_id], lazy="raise")


class CurriculumVersion(Base):
    """The content of a curriculum as synced at one time. Never changed after it is written."""

    __tablename__ = "curriculum_version"
    __table_args__ = (UniqueConstraint("curriculum_code", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    curriculum_code: Mapped[str] = mapped_column(ForeignKey("curriculum.code"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … assigned by sync
    label: Mapped[str] = mapped_column(String(40))  # the editor's label from the file, e.g. "2023.1"
    content_hash: Mapped[str] = mapped_column(String(64))
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    theory_hours: Mapped[float] = mapped_column(Float)
    practice_hours: Mapped[float] = mapped_column(Float)
    min_attendance_share: Mapped[float] = mapped_column(Float)
    assessment_required: Mapped[bool] = mapped_column(Boolean)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)  # the whole validated curriculum, shared modules expanded
    synced_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    modules: Mapped[list[CurriculumModule]] = relationship(
        back_populates="version", order_by="CurriculumModule.position", lazy="raise")
    target_groups: Mapped[list[CurriculumTargetGroup]] = relationship(
        order_by="CurriculumTargetGroup.priority", lazy="raise")

    @property
    def total_hours(self) -> float:
        return self.theory_hours + self.practice_hours


class CurriculumTargetGroup(Base):
    """A target group of a curriculum version and its priority (1 = first served)."""

    __tablename__ = "curriculum_target_group"

    version_id: Mapped[int] = mapped_column(ForeignKey("curriculum_version.id"), primary_key=True)
    target_group_code: Mapped[str] = mapped_column(ForeignKey("target_group.code"), primary_key=True)
    priority: Mapped[int] = mapped_column(Integer)

    target_group: Mapped[TargetGroup] = relationship(lazy="raise")


class CurriculumModule(Base):
    """A module (chuyên đề) of one curriculum version; sessions of courses refer to these rows."""

    __tablename__ = "curriculum_module"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("curriculum_version.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    title_vi: Mapped[str] = mapped_column(String(400))
    title_en: Mapped[str] = mapped_column(String(400))
    theory_hours: Mapped[float] = mapped_column(Float)
    practice_hours: Mapped[float] = mapped_column(Float)
    required: Mapped[bool] = mapped_column(Boolean)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)  # defined once in curricula/shared/

    version: Mapped[CurriculumVersion] = relationship(back_populates="modules", lazy="raise")
    topics: Mapped[list[CurriculumTopic]] = relationship(order_by="CurriculumTopic.position", lazy="raise")


class CurriculumTopic(Base):
    __tablename__ = "curriculum_topic"
    __table_args__ = (UniqueConstraint("module_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("curriculum_module.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    title_vi: Mapped[str] = mapped_column(String(600))
    title_en: Mapped[str] = mapped_column(String(600))
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
