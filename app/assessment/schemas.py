"""The JSON shapes of question banks, tests, attempts and the course evaluation."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class BankCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=300)
    curriculum: str | None = Field(default=None, max_length=16, description="a curriculum module's bank: CT1…CT4")
    module: str | None = Field(default=None, max_length=20, description="the module's code within the curriculum")
    course_id: int | None = Field(default=None, ge=1, description="or a course's own bank (local topics)")


class QuestionImport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["gift", "aiken"]
    text: str = Field(max_length=1_000_000, description="the file's text (UTF-8), as Moodle exports it")


class OptionOut(BaseModel):
    text: str
    weight: float | None = Field(description="1 right, 0 wrong, partial or negative credit; hidden from trainees "
                                             "until the test shows answers")
    feedback: str = ""


class QuestionOut(BaseModel):
    id: int
    kind: Literal["single", "multiple", "true_false", "short"]
    text: str
    mark: float
    version: int
    options: list[OptionOut]
    answer: bool | None = None


class BankOut(BaseModel):
    id: int
    title: str
    curriculum: str | None
    module: str | None
    course_id: int | None
    questions: list[QuestionOut]


class ImportError_(BaseModel):
    line: int
    message: str
    message_en: str


class ImportOut(BaseModel):
    added: int
    errors: list[ImportError_]


class TestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["pre", "post", "other"] = "post"
    title: str = Field(default="", max_length=300)
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    time_limit_minutes: int | None = Field(default=None, ge=1, le=600)
    max_attempts: int = Field(default=1, ge=1, le=20)
    draw: Literal["fixed", "random"] = "fixed"
    draw_count: int | None = Field(default=None, ge=1, le=500)
    question_ids: list[int] = Field(default_factory=list, max_length=500)
    bank_ids: list[int] = Field(default_factory=list, max_length=50)
    one_per_screen: bool = False
    show_after: Literal["score", "answers"] = "score"


class TestOut(BaseModel):
    id: int
    course_id: int
    kind: str
    title: str
    opens_at: datetime | None
    closes_at: datetime | None
    time_limit_minutes: int | None
    max_attempts: int
    draw: str
    draw_count: int | None
    questions: int
    one_per_screen: bool
    show_after: str


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: int | bool | str | list[int] | None = Field(
        description="an option's index (single choice), indices (multiple), true/false, or the typed text (short)")


class AttemptOut(BaseModel):
    id: int
    test_id: int
    number: int
    started_at: datetime
    deadline_at: datetime | None
    submitted_at: datetime | None
    questions: list[QuestionOut]
    answers: list[int | bool | str | list[int] | None]
    points: float | None
    total: float | None
    percent: float | None


class ScoresOut(BaseModel):
    takers_pre: int
    takers_post: int
    average_pre: float | None
    average_post: float | None
    average_gain: float | None


class EvaluationItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(max_length=40)
    kind: Literal["likert", "text"]
    vi: str = Field(max_length=300)
    en: str = Field(default="", max_length=300)
    lecturer_id: int | None = None


class EvaluationFormOut(BaseModel):
    course_id: int
    items: list[EvaluationItem]
    closes_at: datetime | None


class EvaluationItems(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[EvaluationItem] = Field(max_length=60)


class EvaluationAnswers(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: dict[str, int | str] = Field(description="item key → 1–5 (likert) or text")


class ItemResultOut(BaseModel):
    key: str
    vi: str
    en: str
    responses: int
    average: float | None
    distribution: dict[int, int] | None


class EvaluationResultsOut(BaseModel):
    course_id: int
    responses: int
    shown: bool = Field(description="false below five responses: then only the count is given")
    items: list[ItemResultOut]
    comments: list[str]


class ScoreRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    post_test_min_percent: float | None = Field(gt=0, le=100, description="completion requires at least this "
                                                "score on the post-course test; null removes the requirement")


class OptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=500)
    right: bool = False


class QuestionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["single", "multiple", "true_false", "short"]
    text: str = Field(max_length=2000)
    options: list[OptionIn] = Field(default_factory=list, max_length=8, description="choices, in order")
    answer: bool | None = Field(default=None, description="true/false questions")
    accepted: list[str] = Field(default_factory=list, max_length=20, description="short answers accepted")
    mark: float = Field(default=1.0, gt=0, le=100)
