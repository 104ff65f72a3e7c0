from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class I18nText(BaseModel):
    vi: str
    en: str


class TargetGroupRead(BaseModel):
    code: str
    priority: int
    name: I18nText


class TopicRead(BaseModel):
    id: int
    code: str
    title: I18nText
    provisional: bool


class ModuleRead(BaseModel):
    id: int
    code: str
    title: I18nText
    theory_hours: float
    practice_hours: float
    required: bool
    provisional: bool
    shared: bool
    note: str | None = None
    outcomes: list[str] = []
    topics: list[TopicRead]


class VersionBrief(BaseModel):
    number: int
    label: str
    synced_at: datetime
    content_hash: str


class CompletionRule(BaseModel):
    min_attendance_share: float
    assessment_required: bool


class CurriculumSummary(BaseModel):
    code: str
    title: I18nText
    version: VersionBrief
    provisional: bool
    theory_hours: float
    practice_hours: float
    module_count: int
    target_groups: list[TargetGroupRead]
    completion: CompletionRule


class CertificateWording(BaseModel):
    title_vi: str
    title_en: str
    wording_vi: str
    wording_en: str


class CurriculumDetail(CurriculumSummary):
    summary: I18nText | None = None
    legal_basis: list[str]
    provisional_note: str | None = None
    modules: list[ModuleRead]
    certificate: CertificateWording
    versions: list[VersionBrief]


class CurriculumPage(BaseModel):
    items: list[CurriculumSummary]
    total: int
