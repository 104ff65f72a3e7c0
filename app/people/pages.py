"""Trainee pages: list and search, create and edit, import with preview, own profile, self sign-up."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from app.auth import permissions
from app.auth.permissions import SignedIn, Staff
from app.config import get_settings
from app.core.files import XLSX
from app.curricula import service as curricula
from app.curricula.models import TargetGroup
from app.db import DbSession, Route
from app.errors import DomainError, NotFound
from app.people import reference, service
from app.people.fields import COLUMNS
from app.people.importer import template_xlsx
from app.places import service as places
from app.signup import service as signups
from app.web import PostedForm, form_action, redirect, render, stage, staged

router = APIRouter(route_class=Route, include_in_schema=False)
PER_PAGE = 25
FORM_KEYS = [c.key for c in COLUMNS]


def _choices() -> dict:
    return {"sexes": reference.SEXES, "ethnicities": reference.ETHNICITIES, "positions": reference.POSITIONS,
            "organisation_types": reference.ORGANISATION_TYPES, "categories": reference.COMMUNE_CATEGORIES}


def _labels(db: DbSession) -> dict:
    return {"group_names": {g.code: g.name_vi for g in db.scalars(select(TargetGroup))},
            "label": lambda options, code: reference.by_code(options, code).vi if code else "",
            "ref": reference, "path_label": places.path_label}


@router.get("/trainees")
def trainees_page(request: Request, db: DbSession, who: Staff, q: Annotated[str, Query(max_length=100)] = "",
                  unit: Annotated[str, Query(max_length=12)] = "",
                  target_group: Annotated[str, Query(max_length=40)] = "",
                  curriculum: Annotated[str, Query(max_length=16)] = "",
                  status: Annotated[str, Query(pattern="^(|active|pending)$")] = "",
                  page: Annotated[int, Query(ge=1)] = 1) -> HTMLResponse:
    f = service.Filters(q=q, unit=unit or None, target_group=target_group or None, curriculum=curriculum or None,
                        status=status or None)
    items, total = service.list_trainees(db, who, f, page, PER_PAGE)
    return render(request, "people/list.html",
                  {"items": items, "total": total, "page": page, "pages": max(1, -(-total // PER_PAGE)), "f": f,
                   "curricula": curricula.catalogue(db), "may_see": service.personal_access(db, who),
                   "mask_id": service.mask_citizen_id, **_labels(db)}, block="results")


@router.get("/trainees/export.xlsx")
def export(db: DbSession, who: Staff, q: str = "", unit: str = "", target_group: str = "",
           curriculum: str = "", status: str = "") -> Response:
    f = service.Filters(q=q[:100], unit=unit or None, target_group=target_group or None,
                        curriculum=curriculum or None, status=status if status in ("active", "pending") else None)
    return Response(service.export_xlsx(db, who, f),
                    media_type=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="hoc-vien.xlsx"'})


@router.get("/trainees/template.xlsx")
def template(_: Staff) -> Response:
    return Response(template_xlsx(),
                    media_type=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="mau-danh-sach-hoc-vien.xlsx"'})


@router.get("/trainees/new")
def new_page(request: Request, db: DbSession, _: Staff) -> HTMLResponse:
    return render(request, "people/form.html", {"values": {}, "errors": {}, "action": "/trainees", **_choices()})


def _form_values(form) -> dict:  # noqa: ANN001
    values = {k: (form.get(k) or "") for k in FORM_KEYS}
    values["in_charge_of_radio"] = form.get("in_charge_of_radio") == "on"
    values["commune_categories"] = form.getlist("commune_categories")
    return values


def _form_error(request: Request, values: dict, err: DomainError, action: str) -> HTMLResponse:
    errors = {e["field"]: e["message"] for e in service.field_errors(err)}
    return render(request, "people/form.html", {"values": values, "errors": errors, "error": err.message,
                                                "action": action, **_choices()}, status_code=err.status)


@router.post("/trainees")
def create(request: Request, db: DbSession, who: Staff, form: PostedForm) -> Response:
    values = _form_values(form)
    with form_action(db) as refused:
        t = service.create_trainee(db, who, service.parse_or_raise(db, values))
    if refused:
        return _form_error(request, values, refused.error, "/trainees")
    return redirect(f"/trainees/{t.id}", "Đã thêm học viên.")


@router.get("/trainees/import")
def import_page(request: Request, _: Staff) -> HTMLResponse:
    return render(request, "people/import.html", {"report": None, "columns": COLUMNS})


@router.post("/trainees/import")
def import_upload(request: Request, db: DbSession, who: Staff,
                        file: Annotated[UploadFile | None, File()] = None,
                        token: Annotated[str, Form()] = "", lawful_basis_confirmed: Annotated[str, Form()] = "",
                        filename: Annotated[str, Form()] = "") -> Response:
    """Step 1 uploads and previews (nothing is written); step 2 imports the previewed file by its token."""
    limit = get_settings().import_max_bytes
    if file is not None and file.filename:
        content = file.file.read(limit + 1)
        filename = file.filename
        report = service.import_trainees(db, who, content, dry_run=True, filename=filename)
        token = stage(content, report.errors)
        return render(request, "people/import.html", {"report": report, "token": token, "filename": filename,
                                                      "columns": COLUMNS},
                      status_code=422 if report.errors else 200)
    path = staged(token)
    if path is None:
        return redirect("/trainees/import", "Hãy chọn tệp để xem trước.", "error")
    with form_action(db) as refused:
        report = service.import_trainees(db, who, path.read_bytes(), dry_run=False, filename=filename,
                                         lawful_basis_confirmed=lawful_basis_confirmed == "on")
    if refused:
        report = service.import_trainees(db, who, path.read_bytes(), dry_run=True, filename=filename)
        return render(request, "people/import.html", {"report": report, "token": token, "filename": filename,
                                                      "error": refused.message, "columns": COLUMNS}, status_code=422)
    if report.errors:  # the data changed between preview and import: show it again, write nothing
        return render(request, "people/import.html", {"report": report, "token": "", "filename": filename,
                                                      "columns": COLUMNS}, status_code=422)
    path.unlink(missing_ok=True)
    return redirect("/trainees", f"Đã nhập: {report.created} người mới, {report.updated} người cập nhật, "
                                 f"{report.unchanged} người không đổi.")


@router.get("/trainees/{trainee_id}")
def detail_page(trainee_id: int, request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    t = service.get_trainee(db, who, trainee_id)
    visible = service.may_see_personal(db, who, t)
    if visible:
        service.record_sensitive_view(db, who, t)
    return render(request, "people/detail.html",
                  {"t": t, "visible": visible, "placement": service.placement(t),
                   "priorities": service.priorities(db, t), "mask_id": service.mask_citizen_id,
                   "mask_phone": service.mask_phone, "may_manage": permissions.may_manage_trainee(db, who, t),
                   **_labels(db)})


@router.get("/trainees/{trainee_id}/edit")
def edit_page(trainee_id: int, request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    t = service.get_trainee(db, who, trainee_id)
    values = {k: getattr(t, k, "") for k in FORM_KEYS if hasattr(t, k)}
    values.update(birth_date=t.birth_date.strftime("%d/%m/%Y"), commune=t.unit.key)
    return render(request, "people/form.html", {"values": values, "errors": {}, "t": t,
                                                "action": f"/trainees/{t.id}", **_choices()})


@router.post("/trainees/{trainee_id}")
def update(trainee_id: int, request: Request, db: DbSession, who: Staff, form: PostedForm) -> Response:
    values = _form_values(form)
    with form_action(db) as refused:
        service.update_trainee(db, who, trainee_id, service.parse_or_raise(db, values))
    if refused:
        return _form_error(request, values, refused.error, f"/trainees/{trainee_id}")
    return redirect(f"/trainees/{trainee_id}", "Đã lưu thay đổi.")


@router.post("/trainees/{trainee_id}/confirm")
def confirm(trainee_id: int, db: DbSession, who: Staff) -> Response:
    service.confirm(db, who, trainee_id)
    return redirect(f"/trainees/{trainee_id}", "Đã xác nhận học viên.")


@router.get("/me")
def my_profile(request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    t = service.own_record(db, who)
    if t is None:
        waiting = signups.own(db, who)
        if waiting is not None:  # signed up, not (or not yet) given a record: say where it stands
            return render(request, "signup/waiting.html", {"s": waiting})
        raise NotFound("Tài khoản này chưa có hồ sơ học viên.", code="trainee_not_found")
    return render(request, "people/me.html", {"t": t, "placement": service.placement(t),
                                              "priorities": service.priorities(db, t), **_labels(db)})


@router.post("/me")
def update_my_contact(db: DbSession, who: SignedIn, phone: Annotated[str, Form(max_length=30)] = "",
                      email: Annotated[str, Form(max_length=254)] = "") -> Response:
    with form_action(db) as refused:
        service.update_own_contact(db, who, phone, email)
    if refused:
        return redirect("/me", refused.message, "error")
    return redirect("/me", "Đã cập nhật thông tin liên hệ.")

