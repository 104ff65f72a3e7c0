from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class PastCourseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    curriculum: str = Field(max_length=16, description="curriculum code, e.g. CT2")
    title: str = Field(max_length=300)
    unit: str | None = Field(default=None, max_length=12, description='organising unit key, a former one too '
                                                                      '("old:217"); the caller\'s own when omitted')
    start_date: date
    end_date: date = Field(description="before today (Việt Nam's date)")
    venue: str = Field(default="", max_length=300)
    organising_body: str = Field(default="", max_length=300)
    signer_title: str = Field(default="", max_length=200)
    signer_name: str = Field(default="", max_length=120)
    places: list[str] = Field(default_factory=list, max_length=500, description="unit keys; the organising unit "
                                                                                "when empty")
    min_attendance_share: float | None = Field(default=None, gt=0, le=1)


class ParticipantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    trainee_id: int
    attended: int = Field(ge=0, description="sessions attended")
    passed: bool | None = Field(default=None, description="the final assessment, when the course has one")


class ParticipantsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    participants: list[ParticipantIn] = Field(min_length=1, max_length=2000)
