"""JSON API for places: search and one unit with its former/current counterparts."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from app.auth.permissions import SignedIn
from app.db import DbSession, Route
from app.places import service
from app.places.models import AdminUnit, Era, Level
from app.places.schemas import UnitBrief, UnitDetail, UnitPage, UnitRead

router = APIRouter(route_class=Route, prefix="/api/v1/units", tags=["places"])


def unit_read(unit: AdminUnit) -> UnitRead:
    return UnitRead(**UnitBrief.model_validate(unit).model_dump(),
                    parent=UnitBrief.model_validate(unit.parent) if unit.parent else None,
                    current_province=UnitBrief.model_validate(unit.current_province)
                    if unit.current_province and unit.current_province_id != unit.id else None,
                    path=service.path_label(unit))


def unit_detail(db: Session, unit: AdminUnit) -> UnitDetail:
    return UnitDetail(**unit_read(unit).model_dump(),
                      successors=[UnitBrief.model_validate(u) for u in service.successors(db, unit)],
                      predecessors=[UnitBrief.model_validate(u) for u in service.predecessors(db, unit)])


@router.get("", response_model=UnitPage)
def search_units(db: DbSession, _: SignedIn, q: Annotated[str, Query(max_length=100)] = "",
                 era: Era | None = None, level: Level | None = None,
                 parent: Annotated[str | None, Query(max_length=12)] = None,
                 limit: Annotated[int, Query(ge=1, le=500)] = 20,
                 offset: Annotated[int, Query(ge=0)] = 0) -> UnitPage:
    """Provinces and communes by name, with or without diacritics ("tan dinh" finds "Tân Dĩnh")."""
    units, total = service.search(db, q, era=era, level=level, parent_key=parent, limit=limit, offset=offset)
    return UnitPage(items=[unit_read(u) for u in units], total=total)


@router.get("/{key}", response_model=UnitDetail)
def get_unit(key: str, db: DbSession, _: SignedIn) -> UnitDetail:
    """One unit by code ("24", "07432") or, before the reform, "old:<code>"; with what it became or was made from."""
    return unit_detail(db, service.get_by_key(db, key))
