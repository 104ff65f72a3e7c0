"""Turn stored curriculum versions into the API's shapes (the pages use the same data)."""
from __future__ import annotations

from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.core.files import PDF
from app.curricula import service
from app.curricula.models import CurriculumVersion
from app.curricula.outline import outline_pdf
from app.curricula.schemas import (
    CertificateWording,
    CompletionRule,
    CurriculumDetail,
    CurriculumSummary,
    I18nText,
    ModuleRead,
    TargetGroupRead,
    TopicRead,
    VersionBrief,
)
from app.web import download


def version_brief(v: CurriculumVersion) -> VersionBrief:
    return VersionBrief(number=v.number, label=v.label, synced_at=v.synced_at, content_hash=v.content_hash)


def summary(v: CurriculumVersion) -> CurriculumSummary:
    return CurriculumSummary(
        code=v.curriculum_code, title=I18nText(vi=v.title_vi, en=v.title_en), version=version_brief(v),
        provisional=v.provisional, theory_hours=v.theory_hours, practice_hours=v.practice_hours,
        module_count=len(v.modules),
        target_groups=[TargetGroupRead(code=t.target_group_code, priority=t.priority,
                                       name=I18nText(vi=t.target_group.name_vi, en=t.target_group.name_en))
                       for t in v.target_groups],
        completion=CompletionRule(min_attendance_share=v.min_attendance_share,
                                  assessment_required=v.assessment_required))


def detail(v: CurriculumVersion, versions: list[CurriculumVersion]) -> CurriculumDetail:
    doc = service.document(v)
    by_code = {m.code: m for m in doc.modules}
    modules = [ModuleRead(id=m.id, code=m.code, title=I18nText(vi=m.title_vi, en=m.title_en),
                          theory_hours=m.theory_hours, practice_hours=m.practice_hours, required=m.required,
                          provisional=m.provisional, shared=m.shared, note=by_code[m.code].note,
                          outcomes=list(by_code[m.code].outcomes),
                          topics=[TopicRead(id=t.id, code=t.code, title=I18nText(vi=t.title_vi, en=t.title_en),
                                            provisional=t.provisional) for t in m.topics])
               for m in v.modules]
    return CurriculumDetail(
        **summary(v).model_dump(), summary=I18nText(**doc.summary.model_dump()) if doc.summary else None,
        legal_basis=list(doc.legal_basis), provisional_note=doc.provisional_note, modules=modules,
        certificate=CertificateWording(**doc.certificate.model_dump()),
        versions=[version_brief(x) for x in versions])


def outline_response(db: Session, code: str, version: int | None) -> Response:
    """The programme outline of a version as an A4 PDF (pages and API serve the same file)."""
    v = service.get_version(db, code, version)
    return download(outline_pdf(detail(v, [])), f"{v.curriculum_code.lower()}-v{v.number}.pdf", PDF, inline=True)
