from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: str = Field(max_length=10, description="an ended period: 2025, 2025-H2, 2026-Q1")
    place: str = Field(default="", max_length=12, description="a unit inside the caller's scope (default: theirs)")


class AmendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=2000, description="why the figures changed after the report was submitted")
