from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class TraineeIn(BaseModel):
    """A trainee as the API accepts it: labels or codes from the controlled lists, like a spreadsheet row."""

    model_config = ConfigDict(extra="forbid")

    full_name: str = Field(max_length=120)
    sex: str = Field(max_length=20, description="Nam / Nữ (or male / female)")
    birth_date: date
    ethnicity: str = Field(max_length=40, description="one of the 54 groups, e.g. Kinh, Tày, H'Mông")
    citizen_id: str = Field(max_length=20, description="12 digits")
    phone: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=254)
    position: str = Field(max_length=120, description="chức danh, code or label")
    organisation_type: str = Field(max_length=120, description="code or label")
    commune: str = Field(max_length=120, description='commune code ("07432", "old:07435") or name')
    province: str | None = Field(default=None, max_length=120)
    in_charge_of_radio: bool = False
    commune_categories: list[str] = Field(default_factory=list, max_length=4)


class ReasonOut(BaseModel):
    code: str
    vi: str
    en: str


class PriorityOut(BaseModel):
    curriculum: str
    eligible: bool
    rank: int | None
    reasons: list[ReasonOut]


class TraineeOut(BaseModel):
    id: int
    full_name: str
    sex: str
    birth_date: str  # "12/03/1988", or "••/••/1988" when masked
    ethnicity: str | None  # None when masked (sensitive data)
    citizen_id: str
    phone: str | None
    email: str | None
    position: str
    organisation_type: str
    unit: str
    unit_name: str
    in_charge_of_radio: bool
    commune_categories: list[str]
    target_group: str | None
    status: str
    masked: bool
    created_at: datetime
    updated_at: datetime


class TraineeDetail(TraineeOut):
    placement_reasons: list[ReasonOut]
    priorities: list[PriorityOut]


class TraineePage(BaseModel):
    items: list[TraineeOut]
    total: int
    page: int
    per_page: int


class ImportError_(BaseModel):
    row: int
    column: str
    message: str


class ImportResult(BaseModel):
    created: int
    updated: int
    unchanged: int
    errors: list[ImportError_]
    dry_run: bool
    imported: bool
