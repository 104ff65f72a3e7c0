"""Finding places, resolving former units to today's, and the unit tree that scopes what an organiser sees."""
from __future__ import annotations

from sqlalchemy import Select, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session, selectinload

from app.core.text import fold, is_digits
from app.errors import NotFound
from app.places.models import FORMER_PREFIX, AdminUnit, AdminUnitSuccessor, Era, Level

# What showing a unit needs, loaded up front: its parents up to the province (a former commune has two: its district
# and its province; a current commune one) and the province it counts under today. Every query that hands a unit to
# `path_label`, a template or a report loads it with these, through `CHAIN` or `with_chain`, never by hand: a unit
# loaded with one level of parents fails only for former communes, which is how the 2025 records broke.
CHAIN = (selectinload(AdminUnit.parent).selectinload(AdminUnit.parent), selectinload(AdminUnit.current_province))


def with_chain(loader):  # noqa: ANN001, ANN201 - a SQLAlchemy loader option in, the same option extended out
    """`with_chain(selectinload(Trainee.unit))`: the relationship's unit with its chain (see `CHAIN`)."""
    return loader.options(*CHAIN)


def get(db: Session, unit_id: int) -> AdminUnit:
    """A unit by id with its chain, ready to be shown (also when the session already holds it half-loaded)."""
    unit = db.scalar(select(AdminUnit).where(AdminUnit.id == unit_id).options(*CHAIN))
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị hành chính.", code="unit_not_found")
    return unit


def get_by_key(db: Session, key: str) -> AdminUnit:
    """A unit by the code people type: "24", "07432", or "old:213" for a unit from before 1 July 2025."""
    key = key.strip()
    era, code = (Era.FORMER, key[len(FORMER_PREFIX):]) if key.startswith(FORMER_PREFIX) else (Era.CURRENT, key)
    if not is_digits(code):
        raise NotFound(f"Không tìm thấy đơn vị hành chính “{key}”.", code="unit_not_found")
    levels = {2: Level.PROVINCE, 3: Level.DISTRICT, 5: Level.COMMUNE}
    level = levels.get(len(code))
    stmt = (select(AdminUnit).where(AdminUnit.era == era, AdminUnit.level == level, AdminUnit.code == code)
            .options(*CHAIN))
    unit = db.scalar(stmt) if level else None
    if unit is None:
        raise NotFound(f"Không tìm thấy đơn vị hành chính “{key}”.", code="unit_not_found")
    return unit


def search(db: Session, query: str, *, era: str | None = None, level: str | None = None,
           parent_key: str | None = None, limit: int = 20, offset: int = 0) -> tuple[list[AdminUnit], int]:
    """Search by name with or without diacritics; closest matches first (exact short name, then provinces)."""
    stmt = select(AdminUnit)
    folded = fold(query)
    if folded:
        pattern = "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(AdminUnit.search_name.like(pattern, escape="\\"))
    if era:
        stmt = stmt.where(AdminUnit.era == era)
    if level:
        stmt = stmt.where(AdminUnit.level == level)
    if parent_key:
        stmt = stmt.where(AdminUnit.parent_id == get_by_key(db, parent_key).id)
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    level_rank = case({Level.PROVINCE.value: 0, Level.DISTRICT.value: 1}, value=AdminUnit.level, else_=2)
    # Exact name as typed (with its diacritics) first, then names that end with the folded query.
    typed = " ".join(query.split())
    exact = case((or_(AdminUnit.short_name == typed, AdminUnit.name == typed), 0),
                 (AdminUnit.search_name.like("% " + folded), 1), else_=2) if folded else literal(0)
    stmt = (stmt.order_by(AdminUnit.era, exact, level_rank, AdminUnit.search_name, AdminUnit.id)
            .limit(limit).offset(offset)
            .options(*CHAIN))
    return list(db.scalars(stmt)), total


def successors(db: Session, unit: AdminUnit) -> list[AdminUnit]:
    """The current communes a former commune (or island district) became part of."""
    stmt = (select(AdminUnit).join(AdminUnitSuccessor, AdminUnitSuccessor.current_id == AdminUnit.id)
            .where(AdminUnitSuccessor.former_id == unit.id).order_by(AdminUnit.code)
            .options(*CHAIN))
    return list(db.scalars(stmt))


def predecessors(db: Session, unit: AdminUnit) -> list[AdminUnit]:
    """The former communes that a current commune was made from."""
    stmt = (select(AdminUnit).join(AdminUnitSuccessor, AdminUnitSuccessor.former_id == AdminUnit.id)
            .where(AdminUnitSuccessor.current_id == unit.id).order_by(AdminUnit.code)
            .options(*CHAIN))
    return list(db.scalars(stmt))


def children(db: Session, unit: AdminUnit) -> list[AdminUnit]:
    return list(db.scalars(select(AdminUnit).where(AdminUnit.parent_id == unit.id).order_by(AdminUnit.search_name)
                           .options(*CHAIN)))


def unit_ids_within(db: Session, scope_unit_id: int | None) -> Select:
    """The ids of every unit inside a scope, across both eras.

    A current province covers its communes and every former unit that now counts under it (a 2023 course in a
    Bắc Giang commune belongs to today's Bắc Ninh); a current commune covers the former communes merged into it;
    a former province or district covers its own former tree.
    """
    unit = db.get(AdminUnit, scope_unit_id) if scope_unit_id is not None else None
    if unit is None:
        return select(literal(-1))
    if unit.era == Era.CURRENT and unit.level == Level.PROVINCE:
        return select(AdminUnit.id).where(AdminUnit.current_province_id == unit.id)
    if unit.era == Era.CURRENT:
        merged = select(AdminUnitSuccessor.former_id).where(AdminUnitSuccessor.current_id == unit.id)
        return select(AdminUnit.id).where(or_(AdminUnit.id == unit.id, AdminUnit.id.in_(merged)))
    districts = select(AdminUnit.id).where(AdminUnit.parent_id == unit.id)
    return select(AdminUnit.id).where(or_(AdminUnit.id == unit.id, AdminUnit.parent_id == unit.id,
                                          AdminUnit.parent_id.in_(districts)))


def is_within(db: Session, unit_id: int | None, scope_unit_id: int | None) -> bool:
    if unit_id is None or scope_unit_id is None:
        return False
    return bool(db.scalar(select(exists().where(AdminUnit.id == unit_id,
                                                AdminUnit.id.in_(unit_ids_within(db, scope_unit_id))))))


def counts(db: Session) -> dict[tuple[str, str], int]:
    rows = db.execute(select(AdminUnit.era, AdminUnit.level, func.count()).group_by(AdminUnit.era, AdminUnit.level))
    return {(era, level): n for era, level, n in rows}


def path_label(unit: AdminUnit) -> str:
    """"Xã Đại Lâm, Huyện Lạng Giang, Tỉnh Bắc Giang": the unit and its parents (loaded with `CHAIN`)."""
    parts, node = [], unit
    while node is not None:
        parts.append(node.name)
        node = node.parent if node.parent_id is not None else None
    return ", ".join(parts)
