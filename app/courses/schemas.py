from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from app.core.schemas import AsciiDecimal

# A session's hours are wall-clock times at the venue, without a time zone. JSON Schema's "time" format means an
# RFC 3339 time *with* an offset, which these are not: say what they are instead.
LocalTime = Annotated[time, WithJsonSchema({
    "type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
    "description": "wall-clock time at the venue, HH:MM or HH:MM:SS, no time zone", "examples": ["07:30:00"]})]


class CourseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    curriculum: str = Field(description="curriculum code, e.g. CT2", max_length=16)
    title: str = Field(max_length=300)
    unit: str | None = Field(default=None, description='organising unit key; the caller\'s own unit when omitted')
    curriculum_version: int | None = Field(default=None, ge=1, description="latest when omitted")
    programme: str | None = Field(default=None, max_length=32, description="a programme code (GET "
                                  "/api/v1/reports/programmes); the programme of the course's year when omitted")


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


class CourseUpdate(BaseModel):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, max_length=300)
    organising_body: str | None = Field(default=None, max_length=300,
                                        description="the issuing body's name; prefer `issuing_body_id` (a body of "
                                                    "this name in the course's unit or a parent is used, or made)")
    signer_title: str | None = Field(default=None, max_length=200, description="empty: the issuing body's")
    signer_name: str | None = Field(default=None, max_length=120, description="empty: the issuing body's")
    issuing_body_id: int | None = Field(default=None, ge=1, description="an issuing body of the course's unit or "
                                                                        "of a parent unit (GET /api/v1/issuing-bodies)")
    hours_override: float | None = Field(default=None, gt=0, le=2000, allow_inf_nan=False,
                                         description="the hours certificates print; null: the sum of the sessions")
    form: str | None = Field(default=None, pattern="^(in_person|online|hybrid)$")
    venue: str | None = Field(default=None, max_length=300)
    capacity: int | None = Field(default=None, ge=1, le=100000)
    registration_opens: date | None = None
    registration_closes: date | None = None
    start_date: date | None = None
    end_date: date | None = None
    min_attendance_share: float | None = Field(default=None, gt=0, le=1)
    assessment_required: bool | None = None
    places: list[str] | None = Field(default=None, description='unit keys: "24", "07432", …', max_length=500)
    programme: str | None = Field(default=None, max_length=32, description="the programme and period the course "
                                  "belongs to: a code of GET /api/v1/reports/programmes")
    allocation_mode: str | None = Field(default=None, pattern="^(first_come|review)$",
                                        description="first_come: confirm while seats remain; review: allocate "
                                                    "by priority when registration closes")
    quotas: dict[str, int] | None = Field(default=None, description='seats reserved per commune: {"07432": 5}')
    retraining_gap_years: int | None = Field(
        default=None, ge=0, le=20, description="retraining: 0 (or null) takes people who completed the same "
        "curriculum before; N refuses those who completed it less than N years ago (organisers may still nominate "
        "them with a written reason)")


class PlaceOut(BaseModel):
    key: str
    name: str


class BudgetLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str = Field(description="lecturer_fee, lecturer_travel, materials, hall, meals_per_diem, "
                                      "trainee_travel, certificates, management, other")
    description: str = Field(default="", max_length=300)
    planned_amount: AsciiDecimal = Field(ge=0, max_digits=16, decimal_places=0)
    actual_amount: AsciiDecimal | None = Field(default=None, ge=0, max_digits=16, decimal_places=0)
    funding_source: str = Field(description="central, local, other")


class BudgetLineOut(BudgetLineIn):
    id: int


class ProblemOut(BaseModel):
    code: str
    vi: str
    en: str


class ConflictOut(BaseModel):
    kind: str
    session_ids: list[int]
    vi: str
    en: str


class ChecksOut(BaseModel):
    coverage: list[ProblemOut]
    sessions: dict[int, list[ProblemOut]]
    conflicts: list[ConflictOut]
    ready_to_open: list[ProblemOut]


class IssuingBodyBrief(BaseModel):
    id: int
    name: str
    parent_name: str


class CoursePlan(CourseDetail):
    organising_body: str
    signer_title: str
    signer_name: str
    issuing_body_id: int | None
    issuing_body: IssuingBodyBrief | None
    hours: float = Field(description="the course's own hours, printed on its certificates")
    hours_override: float | None
    form: str
    venue: str | None
    capacity: int | None
    registration_opens: date | None
    registration_closes: date | None
    start_date: date | None
    end_date: date | None
    min_attendance_share: float
    assessment_required: bool
    cancel_reason: str | None
    allocation_mode: str
    quotas: dict[str, int]
    places: list[PlaceOut]
    budget: list[BudgetLineOut]
    retraining_gap_years: int
    retraining: ProblemOut = Field(description="the retraining setting in words, as shown on the course")
    recorded_after: bool = Field(description="entered after the course took place (past course)")
    programme: str | None = Field(default=None, description="the code of the programme and period it belongs to")


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: str = Field(pattern="^(draft|open|running|finished|closed|cancelled)$")
    reason: str | None = Field(default=None, max_length=1000)


class CopyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, max_length=300)


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_date: date
    part_of_day: str = Field(pattern="^(morning|afternoon|evening|custom)$")
    start_time: LocalTime | None = None
    end_time: LocalTime | None = None
    module_ids: list[int] = Field(min_length=1, max_length=50)
    lecturer_id: int | None = None
    room: str | None = Field(default=None, max_length=200)
    online_link: str | None = Field(default=None, max_length=500)
    topics_note: str | None = Field(default=None, max_length=2000)


class SessionOut(BaseModel):
    id: int
    session_date: date
    part_of_day: str
    start_time: LocalTime
    end_time: LocalTime
    modules: list[str]
    lecturer_id: int | None
    lecturer_name: str | None
    room: str | None
    online_link: str | None
    topics_note: str | None


class SessionPage(BaseModel):
    items: list[SessionOut]
    total: int


class LecturerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full_name: str = Field(max_length=120)
    title: str = Field(default="", max_length=120)
    organisation: str = Field(default="", max_length=300)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=30)
    username: str | None = Field(default=None, max_length=64, description="link an existing account")


class LecturerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    full_name: str
    title: str
    organisation: str
    email: str | None
    phone: str | None
    has_account: bool = False
