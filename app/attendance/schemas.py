from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class MarkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: int
    enrolment_id: int
    status: str = Field(pattern="^(present|late|excused|absent)$")
    note: str | None = Field(default=None, max_length=500)


class MarksIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    marks: list[MarkIn] = Field(min_length=1, max_length=5000)


class GridRow(BaseModel):
    enrolment_id: int
    full_name: str
    marks: dict[int, str]


class GridOut(BaseModel):
    sessions: list[int]
    rows: list[GridRow]


class CompletionRow(BaseModel):
    enrolment_id: int
    full_name: str
    status: str
    assessment_passed: bool | None
    completed: bool
    attended: int
    sessions: int
    share: float
    reason_vi: str
    reason_en: str


class ResultsOut(BaseModel):
    completed: int
    not_completed: int


class AssessmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    passed: bool | None


class CodeOut(BaseModel):
    code: str
    url: str
    period_seconds: int


class CheckInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=100)


class CheckInOut(BaseModel):
    session_id: int
    status: str
    recorded_at: str
    already: bool
