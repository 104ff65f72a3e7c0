from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class ReasonOut(BaseModel):
    code: str
    vi: str
    en: str


class EnrolmentOut(BaseModel):
    id: int
    course_id: int
    trainee_id: int
    full_name: str
    unit_name: str
    status: str
    waitlist_position: int | None
    reasons: list[ReasonOut]
    registered_at: datetime
    nominated: bool


class EnrolmentPage(BaseModel):
    items: list[EnrolmentOut]
    total: int
    counts: dict[str, int]


class RegisterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    trainee_id: int | None = Field(default=None, description="omit to register yourself; organisers nominate")
    reason: str = Field(default="", max_length=1000,
                        description="organisers: a written reason to nominate someone the course's retraining "
                                    "setting refuses (completed the same curriculum recently)")


class BulkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    trainee_ids: list[int] = Field(min_length=1, max_length=2000)
    reason: str = Field(default="", max_length=1000,
                        description="organisers: a written reason to nominate someone the course's retraining "
                                    "setting refuses (completed the same curriculum recently)")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(pattern="^(confirmed|rejected|waitlisted)$")
    reason: str = Field(default="", max_length=1000)


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=1000)


class MyEnrolment(BaseModel):
    enrolment_id: int
    course_id: int
    course_code: str
    course_title: str
    start_date: date | None
    status: str
    waitlist_position: int | None
    reasons: list[ReasonOut]
