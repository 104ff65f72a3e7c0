from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class CourseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    curriculum: str = Field(description="curriculum code, e.g. CT2", max_length=16)
    title: str = Field(max_length=300)
    unit: str | None = Field(default=None, description='organising unit key; the caller\'s own unit when omitted')
    curriculum_version: int | None = Field(default=None, ge=1, description="latest when omitted")


class LocalModuleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=400)
    theory_hours: float = Field(allow_inf_nan=False)
    practice_hours: float = Field(default=0, allow_inf_nan=False)
    required: bool = False


class LocalTopicCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=600)


class TopicOut(BaseModel):
    code: str | None
    title: str
    is_local: bool


class CourseModuleOut(BaseModel):
    id: int
    code: str
    title: str
    theory_hours: float
    practice_hours: float
    required: bool
    is_local: bool
    topics: list[TopicOut]


class CurriculumPin(BaseModel):
    code: str
    version: int
    label: str
    title: str


class CourseOut(BaseModel):
    id: int
    code: str
    title: str
    status: str
    unit: str
    unit_name: str
    curriculum: CurriculumPin
    created_at: datetime


class CourseDetail(CourseOut):
    modules: list[CourseModuleOut]


class CoursePage(BaseModel):
    items: list[CourseOut]
    total: int
