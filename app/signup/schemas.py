from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class SignUpOut(BaseModel):
    id: int
    full_name: str
    unit: str
    status: str
    clash: bool  # the citizen ID is already on record: a case to resolve, the record is not handed over
    created_at: datetime


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identity_checked: bool = False


class Refusal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class InvitationOut(BaseModel):
    code: str = Field(description="shown once; only its hash is stored")
    claim_url: str
    expires_at: datetime
