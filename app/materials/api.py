"""JSON API for training materials: lists per course and per module, upload, replace, edit, delete, download."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from app.auth.models import Role
from app.auth.permissions import SignedIn, allow
from app.auth.principal import Principal
from app.db import DbSession, Route
from app.errors import Invalid
from app.materials import present, service
from app.materials.schemas import (
    MaterialOut,
    MaterialPage,
    MaterialUpdate,
    MyCourseMaterials,
    MyMaterials,
    items_out,
    material_out,
)
from app.materials.upload import Received

router = APIRouter(route_class=Route, prefix="/api/v1/materials", tags=["materials"])
StaffOrTrainer = Annotated[Principal, Depends(allow(Role.ADMIN, Role.ORGANISER, Role.TRAINER))]

_FILE = {"type": "string", "format": "binary"}
UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["files"],
    "properties": {
        "files": {"type": "array", "items": _FILE, "description": "one or more files; each is checked by its "
                  "content (PDF, DOCX, PPTX, XLSX, ODT, MP3, M4A, MP4, JPEG, PNG, GIF, WebP) and its size"},
        "course_id": {"type": "integer", "description": "a course's own material…"},
        "course_module_id": {"type": "integer", "description": "…optionally filed under one of its modules"},
        "share": {"type": "boolean", "description": "with course_module_id: share it with every course of the "
                  "curriculum through that module"},
        "curriculum": {"type": "string", "description": "or a curriculum module directly: curriculum code…"},
        "module": {"type": "string", "description": "…and module code"},
        "title": {"type": "string", "maxLength": 300, "description": "defaults to the file name"},
        "description": {"type": "string", "maxLength": 5000},
        "language": {"type": "string", "default": "vi"}}}}}}}
REPLACE_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": _FILE, "note": {"type": "string", "maxLength": 500}}}}}}}


@router.get("", response_model=MaterialPage)
def list_materials(db: DbSession, who: SignedIn,
                   course_id: Annotated[int | None, Query(description="a course's materials, with those shared "
                                                                     "through its modules")] = None,
                   curriculum: Annotated[str | None, Query(max_length=16, description="a curriculum's shared "
                                                                                      "materials")] = None,
                   module: Annotated[str | None, Query(max_length=20, description="with curriculum: one module"
                                                       )] = None) -> MaterialPage:
    if course_id is not None:
        groups = service.course_materials(db, who, course_id).groups
    elif curriculum:
        groups = [g for g in service.module_materials(db, who, curriculum).groups if not module or g.key == module]
    else:
        raise Invalid("filter_required", "Cần chọn khoá học (course_id) hoặc chương trình (curriculum).",
                      field="course_id")
    items = items_out(groups)
    return MaterialPage(items=items, total=len(items))


@router.get("/mine", response_model=MyMaterials)
def my_materials(db: DbSession, who: SignedIn) -> MyMaterials:
    """A trainee's courses and, once seated on them, their materials (empty while pending or waitlisted)."""
    return MyMaterials(courses=[
        MyCourseMaterials(course_id=c.course.id, code=c.course.code, title=c.course.title, enrolment_status=c.status,
                          items=items_out(c.groups)) for c in service.my_materials(db, who)])


@router.post("", response_model=MaterialPage, status_code=201, openapi_extra=UPLOAD_BODY,
             dependencies=[Depends(present.upload_guard)])
async def upload(request: Request, db: DbSession, who: StaffOrTrainer) -> MaterialPage:
    """Upload several files at once; all are kept or none (a refusal names each bad file)."""
    received: Received = await present.receive(request)
    try:
        created = await run_in_threadpool(service.add_materials, db, who, present.home_from(received.fields),
                                          received.files, present.details_from(received.fields))
        items = [await run_in_threadpool(_out, db, who, m.id) for m in created]
    finally:
        received.discard()
    return MaterialPage(items=items, total=len(items))


def _out(db: DbSession, who: Principal, material_id: int) -> MaterialOut:
    m, versions, d = service.material_detail(db, who, material_id)
    current = next(v for v in versions if v.number == m.current_version)
    return material_out(m, current, d.may_manage, versions)


@router.get("/{material_id}", response_model=MaterialOut)
def get_material(material_id: int, db: DbSession, who: SignedIn) -> MaterialOut:
    return _out(db, who, material_id)


@router.patch("/{material_id}", response_model=MaterialOut)
def update_material(material_id: int, body: MaterialUpdate, db: DbSession, who: StaffOrTrainer) -> MaterialOut:
    service.update_material(db, who, material_id, body.model_dump(exclude_unset=True, exclude_none=True))
    return _out(db, who, material_id)


@router.post("/{material_id}/versions", response_model=MaterialOut, status_code=201, openapi_extra=REPLACE_BODY,
             dependencies=[Depends(present.single_upload_guard)])
async def replace(material_id: int, request: Request, db: DbSession, who: StaffOrTrainer) -> MaterialOut:
    """Replace the file; the earlier files stay as numbered versions."""
    received = await present.receive(request, max_files=1)
    try:
        if len(received.files) != 1:
            raise Invalid("no_files", "Hãy chọn một tệp để thay.", field="file")
        await run_in_threadpool(service.replace_file, db, who, material_id, received.files[0],
                                received.fields.get("note", ""))
    finally:
        received.discard()
    return await run_in_threadpool(_out, db, who, material_id)


@router.delete("/{material_id}", status_code=204)
def delete_material(material_id: int, db: DbSession, who: StaffOrTrainer,
                    reason: Annotated[str, Query(max_length=1000)] = "") -> Response:
    """Soft delete: hidden from every list and download, kept with its files and recorded in the audit trail."""
    service.delete_material(db, who, material_id, reason)
    return Response(status_code=204)


_FILE_RESPONSES = {200: {"description": "the file (Range requests answered with 206)",
                         "content": {"application/octet-stream": {}}},
                   206: {"description": "one byte range"}, 304: {"description": "unchanged (If-None-Match)"},
                   416: {"description": "range not satisfiable"}}


@router.get("/{material_id}/download", response_class=Response, responses=_FILE_RESPONSES)
@router.head("/{material_id}/download", response_class=Response, include_in_schema=False)
def download(material_id: int, request: Request, db: DbSession, who: SignedIn) -> Response:
    return present.download(request, db, who, material_id)


@router.get("/{material_id}/versions/{number}/download", response_class=Response, responses=_FILE_RESPONSES)
@router.head("/{material_id}/versions/{number}/download", response_class=Response, include_in_schema=False)
def download_version(material_id: int, number: int, request: Request, db: DbSession, who: SignedIn) -> Response:
    return present.download(request, db, who, material_id, number)
