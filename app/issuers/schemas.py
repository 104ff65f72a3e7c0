"""Issuing bodies in the JSON API."""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class IssuingBodyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=300, description='"SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH"')
    parent_name: str = Field(default="", max_length=300, description='the line above it: "UBND TỈNH BẮC NINH"')
    short_code: str = Field(default="", max_length=30, description='the body\'s symbol: "SVHTTDL"')
    place_name: str = Field(default="", max_length=100, description='the date line: "Bắc Ninh"; the province when '
                                                                      'empty')
    signer_title: str = Field(default="", max_length=200, description='"KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC"')
    signer_name: str = Field(default="", max_length=120)
    number_pattern: str = Field(default="{n}/{year}/GCN", max_length=60,
                                description="{n} (or {n:04d}), {year}, {code}; unique in the province")
    active: bool = True
    unit: str | None = Field(default=None, max_length=16, description="the managing unit's key; yours when omitted")


class IssuingBodyUpdate(BaseModel):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=300)
    parent_name: str | None = Field(default=None, max_length=300)
    short_code: str | None = Field(default=None, max_length=30)
    place_name: str | None = Field(default=None, max_length=100)
    signer_title: str | None = Field(default=None, max_length=200)
    signer_name: str | None = Field(default=None, max_length=120)
    number_pattern: str | None = Field(default=None, max_length=60)
    active: bool | None = None


class IssuingBodyOut(BaseModel):
    id: int
    unit: str
    unit_name: str
    name: str
    parent_name: str
    short_code: str
    place_name: str
    signer_title: str
    signer_name: str
    number_pattern: str
    example_number: str = Field(description="what its first number this year looks like")
    active: bool
    has_seal: bool
    seal_url: str | None
    updated_at: datetime
