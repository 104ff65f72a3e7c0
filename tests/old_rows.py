"""Rows written into a database migrated to an older revision, the way that revision's tables were (reflected, not
the application's models): for the tests of data migrations. Columns not given get a plain value of their type."""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    insert,
    select,
)
from sqlalchemy.types import JSON

# What a course with one enrolment needs, as the tables stood.
COURSE_TABLES = ("admin_unit", "curriculum", "curriculum_version", "course", "trainee", "enrolment")


def _dummy(column, **given):  # noqa: ANN001, ANN202
    if column.name in given:
        return given[column.name]
    t = column.type
    if isinstance(t, Boolean):
        return False
    if isinstance(t, (Integer, Numeric, Float)):
        return 1
    if isinstance(t, DateTime):
        return datetime(2024, 5, 1, tzinfo=UTC)
    if isinstance(t, Date):
        return date(2024, 5, 1)
    if isinstance(t, JSON):
        return []
    if isinstance(t, (String, Text)):
        return "x"
    return None


class OldRows:
    def __init__(self, engine: Engine, tables: tuple[str, ...] = COURSE_TABLES) -> None:
        self.meta = MetaData()
        self.meta.reflect(engine, only=list(tables))

    def add(self, conn: Connection, name: str, **given) -> int:  # noqa: ANN003
        """Insert one row (the given columns, a plain value in every other required one); its key."""
        table = self.meta.tables[name]
        row = {c.name: _dummy(c, **given) for c in table.columns
               if c.name in given or (not c.nullable and c.server_default is None and not c.primary_key)}
        return conn.execute(insert(table).values(**row).returning(table.c[list(table.primary_key)[0].name])).scalar()

    def unit(self, conn: Connection, code: str) -> int:
        units = self.meta.tables["admin_unit"]
        return conn.execute(select(units.c.id).where(units.c.code == code)).scalar()

    def course(self, conn: Connection, code: str, **given) -> tuple[int, int]:  # noqa: ANN003
        """A course of curriculum CT9 (created once) organised at Xã Tân Dĩnh: (the commune's key, the course's)."""
        unit = self.unit(conn, "07432")
        versions = self.meta.tables["curriculum_version"]
        version = conn.execute(select(versions.c.id).where(versions.c.curriculum_code == "CT9")).scalar()
        if version is None:
            self.add(conn, "curriculum", code="CT9")
            version = self.add(conn, "curriculum_version", curriculum_code="CT9")
        return unit, self.add(conn, "course", code=code, curriculum_version_id=version, unit_id=unit, **given)
