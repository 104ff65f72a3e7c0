"""Curriculum use cases: sync the files into versions, read the catalogue, one curriculum, its versions."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app import audit
from app.auth.principal import Principal
from app.curricula.loader import DEFAULT_DIRECTORY, content_hash, load_curricula
from app.curricula.models import (
    Curriculum,
    CurriculumModule,
    CurriculumTargetGroup,
    CurriculumTopic,
    CurriculumVersion,
    TargetGroup,
)
from app.curricula.schema import Curriculum as CurriculumDoc
from app.curricula.schema import TargetGroup as TargetGroupDoc
from app.errors import DomainError, NotFound


class CurriculaInvalid(DomainError):
    """The files have errors; nothing was written."""

    status = 422

    def __init__(self, errors: list[str]) -> None:
        super().__init__("curricula_invalid", "Tệp chương trình có lỗi:\n" + "\n".join(errors))
        self.errors = errors


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)  # "CT2 v2"
    unchanged: list[str] = field(default_factory=list)
    target_groups_changed: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"new version  {c}" for c in self.created] + [f"unchanged    {c}" for c in self.unchanged]
        out += [f"target group {g} updated" for g in self.target_groups_changed]
        return out


def sync(db: Session, actor: Principal, directory: Path = DEFAULT_DIRECTORY) -> SyncReport:
    """Load the files into the database. Unchanged content changes nothing; changed content becomes a new version,
    and courses keep the version they pinned (the letter lets provinces adapt, but a running course must not move).
    """
    result = load_curricula(directory)
    if result.errors:
        raise CurriculaInvalid([str(e) for e in result.errors])
    report = SyncReport()
    for group in result.target_groups:
        if _upsert_target_group(db, group):
            report.target_groups_changed.append(group.code)
            audit.record(db, actor, "target_group.sync", "target_group", group.code, group.model_dump(mode="json"))
    db.flush()
    for doc in result.curricula:
        version, created = _sync_one(db, doc)
        label = f"{doc.code} v{version.number}"
        if created:
            report.created.append(label)
            audit.record(db, actor, "curriculum.sync", "curriculum", doc.code,
                         {"version": version.number, "label": doc.version, "hash": version.content_hash})
        else:
            report.unchanged.append(label)
    return report


def _upsert_target_group(db: Session, group: TargetGroupDoc) -> bool:
    row = db.get(TargetGroup, group.code)
    values = {"name_vi": group.name.vi, "name_en": group.name.en, "description_vi": group.description.vi,
              "description_en": group.description.en}
    if row is None:
        db.add(TargetGroup(code=group.code, **values))
        return True
    changed = any(getattr(row, k) != v for k, v in values.items())
    for k, v in values.items():
        setattr(row, k, v)
    return changed


def _sync_one(db: Session, doc: CurriculumDoc) -> tuple[CurriculumVersion, bool]:
    digest = content_hash(doc)
    # Lock the curriculum row so that two syncs at once cannot both number a version "2".
    curriculum = db.scalar(select(Curriculum).where(Curriculum.code == doc.code).with_for_update())
    if curriculum is None:
        curriculum = Curriculum(code=doc.code)
        db.add(curriculum)
        db.flush()
    elif curriculum.latest_version_id is not None:
        latest = db.get(CurriculumVersion, curriculum.latest_version_id)
        if latest is not None and latest.content_hash == digest:
            return latest, False
    number = (db.scalar(select(func.max(CurriculumVersion.number))
                        .where(CurriculumVersion.curriculum_code == doc.code)) or 0) + 1
    version = CurriculumVersion(
        curriculum_code=doc.code, number=number, label=doc.version, content_hash=digest, title_vi=doc.title.vi,
        title_en=doc.title.en, provisional=doc.provisional, theory_hours=doc.theory_hours,
        practice_hours=doc.practice_hours, min_attendance_share=doc.completion.min_attendance_share,
        assessment_required=doc.completion.assessment_required, document=doc.model_dump(mode="json"))
    db.add(version)
    db.flush()
    for priority, code in enumerate(doc.target_groups, start=1):
        db.add(CurriculumTargetGroup(version_id=version.id, target_group_code=code, priority=priority))
    for position, module in enumerate(doc.modules, start=1):
        row = CurriculumModule(version_id=version.id, code=module.code, position=position, title_vi=module.title.vi,
                               title_en=module.title.en, theory_hours=module.hours.theory,
                               practice_hours=module.hours.practice, required=module.required,
                               provisional=module.provisional, shared=doc.is_shared(module))
        db.add(row)
        db.flush()
        for tpos, topic in enumerate(module.topics, start=1):
            db.add(CurriculumTopic(module_id=row.id, code=topic.code, position=tpos, title_vi=topic.title.vi,
                                   title_en=topic.title.en, provisional=topic.provisional))
    curriculum.latest_version_id = version.id
    db.flush()
    return version, True


def _with_content():  # noqa: ANN202
    return (selectinload(CurriculumVersion.modules).selectinload(CurriculumModule.topics),
            selectinload(CurriculumVersion.target_groups).selectinload(CurriculumTargetGroup.target_group))


def catalogue(db: Session) -> list[CurriculumVersion]:
    """The latest version of every curriculum, in code order (CT1, CT2, …)."""
    stmt = (select(CurriculumVersion).join(Curriculum, Curriculum.latest_version_id == CurriculumVersion.id)
            .options(*_with_content()))
    return sorted(db.scalars(stmt), key=lambda v: (len(v.curriculum_code), v.curriculum_code))


def get_version(db: Session, code: str, number: int | None = None) -> CurriculumVersion:
    """A curriculum's latest version, or the numbered one; 404 when either does not exist."""
    code = code.upper()
    stmt = select(CurriculumVersion).where(CurriculumVersion.curriculum_code == code).options(*_with_content())
    if number is None:
        stmt = stmt.join(Curriculum, Curriculum.latest_version_id == CurriculumVersion.id)
    else:
        stmt = stmt.where(CurriculumVersion.number == number)
    version = db.scalar(stmt)
    if version is None:
        what = f"{code} phiên bản {number}" if number is not None else code
        raise NotFound(f"Không tìm thấy chương trình {what}.", code="curriculum_not_found")
    return version


def versions_of(db: Session, code: str) -> list[CurriculumVersion]:
    stmt = (select(CurriculumVersion).where(CurriculumVersion.curriculum_code == code.upper())
            .order_by(CurriculumVersion.number.desc()))
    return list(db.scalars(stmt))


def document(version: CurriculumVersion) -> CurriculumDoc:
    """The validated curriculum content of a stored version (notes, outcomes, certificate wording…)."""
    return CurriculumDoc.model_validate(version.document)
