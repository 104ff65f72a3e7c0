"""JSON API for trainees: list, read, create, edit, confirm, import, export, template."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from app.auth.permissions import SignedIn, Staff
from app.config import get_settings
from app.core.files import XLSX
from app.db import DbSession, Route
from app.people import present, service
from app.people.importer import template_xlsx
from app.people.schemas import ImportResult, TraineeDetail, TraineeIn, TraineePage

router = APIRouter(route_class=Route, prefix="/api/v1/trainees", tags=["trainees"])


def filters(q: Annotated[str, Query(max_length=100)] = "", unit: Annotated[str | None, Query(max_length=12)] = None,
            target_group: Annotated[str | None, Query(max_length=40)] = None,
            curriculum: Annotated[str | None, Query(max_length=16)] = None,
            status: Annotated[str | None, Query(pattern="^(active|pending)$")] = None) -> service.Filters:
    return service.Filters(q=q, unit=unit, target_group=target_group, curriculum=curriculum, status=status)


Filters = Annotated[service.Filters, Depends(filters)]


@router.get("", response_model=TraineePage)
def list_trainees(db: DbSession, who: SignedIn, f: Filters, page: Annotated[int, Query(ge=1)] = 1,
                  per_page: Annotated[int, Query(ge=1, le=500)] = 50) -> TraineePage:
    """Trainees in the caller's scope; search works with or without diacritics."""
    items, total = service.list_trainees(db, who, f, page, per_page)
    may_see = service.personal_access(db, who)
    return TraineePage(items=[present.trainee_out(db, who, t, may_see) for t in items], total=total, page=page,
                       per_page=per_page)


@router.post("", response_model=TraineeDetail, status_code=201)
def create_trainee(body: TraineeIn, db: DbSession, who: Staff) -> TraineeDetail:
    t = service.create_trainee(db, who, service.parse_or_raise(db, body.model_dump()))
    return present.trainee_detail(db, who, t)


@router.get("/import/template.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "the import template"}})
def import_template(_: Staff) -> Response:
    return Response(template_xlsx(), media_type=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="mau-danh-sach-hoc-vien.xlsx"'})


@router.post("/import", response_model=ImportResult)
def import_trainees(db: DbSession, who: Staff, file: Annotated[UploadFile, File()],
                          dry_run: Annotated[bool, Form()] = True,
                          lawful_basis_confirmed: Annotated[bool, Form()] = False) -> Response:
    """Import an .xlsx or .csv; `dry_run` (default) only reports. Any error imports nothing (422)."""
    limit = get_settings().import_max_bytes
    content = file.file.read(limit + 1)
    report = service.import_trainees(db, who, content, dry_run=dry_run, lawful_basis_confirmed=lawful_basis_confirmed,
                                     filename=file.filename or "")
    return JSONResponse(report.as_dict(), status_code=422 if report.errors else 200)


@router.get("/export.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def export(db: DbSession, who: Staff, f: Filters) -> Response:
    return Response(service.export_xlsx(db, who, f), media_type=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="hoc-vien.xlsx"'})


@router.get("/{trainee_id}", response_model=TraineeDetail)
def get_trainee(trainee_id: int, db: DbSession, who: SignedIn) -> TraineeDetail:
    t = service.get_trainee(db, who, trainee_id)
    if service.may_see_personal(db, who, t):
        service.record_sensitive_view(db, who, t)
    return present.trainee_detail(db, who, t)


@router.put("/{trainee_id}", response_model=TraineeDetail)
def update_trainee(trainee_id: int, body: TraineeIn, db: DbSession, who: Staff) -> TraineeDetail:
    t = service.update_trainee(db, who, trainee_id, service.parse_or_raise(db, body.model_dump()))
    return present.trainee_detail(db, who, t)


@router.post("/{trainee_id}/confirm", response_model=TraineeDetail)
def confirm(trainee_id: int, db: DbSession, who: Staff) -> TraineeDetail:
    return present.trainee_detail(db, who, service.confirm(db, who, trainee_id))
