from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from app.materials.models import Material, MaterialVersion

if TYPE_CHECKING:  # a schemas module reads the service's results, never calls it
    from app.materials import service


class VersionOut(BaseModel):
    number: int
    file_name: str = Field(description="the original name, Vietnamese letters kept (NFC)")
    content_type: str = Field(description="decided from the file's bytes, not its name")
    kind: str = Field(description="document, audio, video or image")
    size: int
    sha256: str = Field(description="content hash; also the download's ETag")
    uploaded_at: datetime
    note: str
    download_url: str


class MaterialOut(BaseModel):
    id: int
    title: str
    description: str
    language: str
    course_id: int | None = Field(description="set for a course's own material")
    course_module_id: int | None = Field(description="the course module it is filed under, if any")
    curriculum_code: str | None = Field(description="set, with module_code, for a material shared by every course "
                                                    "of the curriculum")
    module_code: str | None
    current_version: int
    file: VersionOut
    download_url: str
    may_manage: bool
    download_count: int | None = Field(default=None, description="shown to those who manage the material")
    versions: list[VersionOut] | None = Field(default=None, description="every version, newest first, for those "
                                                                        "who manage the material")


class MaterialPage(BaseModel):
    items: list[MaterialOut]
    total: int


class MaterialUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=5000)
    language: str | None = Field(default=None, max_length=8)


class MyCourseMaterials(BaseModel):
    course_id: int
    code: str
    title: str
    enrolment_status: str
    items: list[MaterialOut]


class MyMaterials(BaseModel):
    courses: list[MyCourseMaterials]


def version_out(m: Material, v: MaterialVersion) -> VersionOut:
    return VersionOut(number=v.number, file_name=v.original_name, content_type=v.content_type, kind=v.kind,
                      size=v.size, sha256=v.sha256, uploaded_at=v.uploaded_at, note=v.note,
                      download_url=f"/api/v1/materials/{m.id}/versions/{v.number}/download")


def material_out(m: Material, v: MaterialVersion, may_manage: bool,
                 versions: list[MaterialVersion] | None = None) -> MaterialOut:
    return MaterialOut(id=m.id, title=m.title, description=m.description, language=m.language,
                       course_id=m.course_id, course_module_id=m.course_module_id,
                       curriculum_code=m.curriculum_code, module_code=m.module_code,
                       current_version=m.current_version, file=version_out(m, v),
                       download_url=f"/api/v1/materials/{m.id}/download", may_manage=may_manage,
                       download_count=m.download_count if may_manage else None,
                       versions=[version_out(m, x) for x in versions] if may_manage and versions else None)


def items_out(groups: list[service.Group]) -> list[MaterialOut]:
    return [material_out(i.material, i.version, i.may_manage) for g in groups for i in g.items]
