from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class UnitBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    code: str
    era: str
    level: str
    name: str
    short_name: str
    unit_type: str


class UnitRead(UnitBrief):
    parent: UnitBrief | None = None
    current_province: UnitBrief | None = None
    path: str


class UnitDetail(UnitRead):
    successors: list[UnitBrief] = []
    predecessors: list[UnitBrief] = []


class UnitPage(BaseModel):
    items: list[UnitRead]
    total: int
