"""Provinces, districts and communes before and after the 1 July 2025 reform, and the mapping between them."""
from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base


class Era(StrEnum):
    CURRENT = "current"  # the two-tier structure in force since 1 July 2025
    FORMER = "former"  # the three-tier structure before it


class Level(StrEnum):
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"


FORMER_PREFIX = "old:"


class AdminUnit(Base):
    """One administrative unit of one era. Codes are reused across eras, so (era, level, code) is the identity."""

    __tablename__ = "admin_unit"
    __table_args__ = (
        UniqueConstraint("era", "level", "code"),
        Index("ix_admin_unit_parent", "parent_id"),
        Index("ix_admin_unit_current_province", "current_province_id"),
        Index("ix_admin_unit_current_commune", "current_commune_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    era: Mapped[str] = mapped_column(String(8))
    level: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(5))
    name: Mapped[str] = mapped_column(String(120))
    short_name: Mapped[str] = mapped_column(String(100))
    unit_type: Mapped[str] = mapped_column(String(20))
    search_name: Mapped[str] = mapped_column(String(120), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"))
    # The province of today that this unit counts under (itself for a current province).
    current_province_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"))
    # The commune of today that this unit counts under: itself for a current commune, the commune a former commune
    # (or island district) was merged into (the first one listed when it was divided), None for provinces and
    # districts. Reports group officials by it, so that a 2023 record rolls up to today's commune.
    current_commune_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    area_km2: Mapped[float | None] = mapped_column(Float)

    parent: Mapped[AdminUnit | None] = relationship(
        remote_side="AdminUnit.id", foreign_keys=[parent_id], lazy="raise")
    current_province: Mapped[AdminUnit | None] = relationship(
        remote_side="AdminUnit.id", foreign_keys=[current_province_id], lazy="raise")
    current_commune: Mapped[AdminUnit | None] = relationship(
        remote_side="AdminUnit.id", foreign_keys=[current_commune_id], lazy="raise")

    @property
    def key(self) -> str:
        """The code a person types: "24" or "07432" today, "old:213" for a former unit."""
        return self.code if self.era == Era.CURRENT else FORMER_PREFIX + self.code

    @property
    def is_former(self) -> bool:
        return self.era == Era.FORMER


class AdminUnitSuccessor(Base):
    """A former commune (or island district) and the current commune it became part of."""

    __tablename__ = "admin_unit_successor"

    former_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), primary_key=True)
    current_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), primary_key=True, index=True)
    divided: Mapped[bool] = mapped_column(Boolean, default=False)
