"""Issuing-body pages: the list, create and edit (with the seal and a preview), and the register book per year."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from app.auth.permissions import Staff
from app.db import DbSession, Route, utcnow
from app.errors import DomainError
from app.issuers import book, present, rules, service
from app.issuers.models import IssuingBody
from app.places.models import AdminUnit
from app.web import form_action, redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)
FIELDS = ("name", "parent_name", "short_code", "place_name", "signer_title", "signer_name", "number_pattern")


def _values(body: IssuingBody | None) -> dict:
    if body is None:
        return {"number_pattern": rules.DEFAULT_PATTERN, "active": True}
    return {**{k: getattr(body, k) for k in FIELDS}, "active": body.active, "unit": body.unit.key}


def _form_page(request: Request, db: DbSession, who, body: IssuingBody | None, values: dict,  # noqa: ANN001
               error: DomainError | None = None) -> HTMLResponse:
    ctx = {"body": body, "values": values, "error": error.message if error else None,
           "errors": {(error.field or ""): error.message} if error else {},
           "example": service.example_number(IssuingBody(number_pattern=values.get("number_pattern") or "",
                                                         short_code=(values.get("short_code") or "").upper())),
           "own_unit": db.get(AdminUnit, who.unit_id).key if who.unit_id else ""}
    if body is not None:
        ctx["years"] = service.register_years(db, body.id)
    return render(request, "issuers/form.html", ctx, status_code=error.status if error else 200)


def _posted(name: str, parent_name: str, short_code: str, place_name: str, signer_title: str, signer_name: str,
            number_pattern: str, active: str) -> dict:
    return {"name": name, "parent_name": parent_name, "short_code": short_code, "place_name": place_name,
            "signer_title": signer_title, "signer_name": signer_name, "number_pattern": number_pattern,
            "active": active == "on"}


Text = Annotated[str, Form(max_length=400)]


@router.get("/issuing-bodies")
def list_page(request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    found = service.bodies(db, who)
    return render(request, "issuers/list.html", {
        "bodies": found, "example": service.example_number,
        "clashes": {b.id: service.numbering_clash(db, b) for b in found}})


@router.get("/issuing-bodies/new")
def new_page(request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    return _form_page(request, db, who, None, _values(None))


@router.post("/issuing-bodies")
def create(request: Request, db: DbSession, who: Staff, name: Text = "", parent_name: Text = "",
           short_code: Text = "", place_name: Text = "", signer_title: Text = "", signer_name: Text = "",
           number_pattern: Text = "", active: Annotated[str, Form(max_length=3)] = "",
           unit: Annotated[str, Form(max_length=16)] = "") -> Response:
    values = _posted(name, parent_name, short_code, place_name, signer_title, signer_name, number_pattern, active)
    with form_action(db) as refused:
        body = service.create_body(db, who, values, unit.strip() or None)
    if refused:
        err = refused.error
        return _form_page(request, db, who, None, {**values, "unit": unit}, err)
    return redirect(f"/issuing-bodies/{body.id}", f"Đã thêm cơ quan cấp “{body.name}”. Hãy tải ảnh con dấu và xem "
                                                  "thử giấy chứng nhận.")


@router.get("/issuing-bodies/{body_id}")
def edit_page(body_id: int, request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    body = service.get_body(db, who, body_id)
    return _form_page(request, db, who, body, _values(body))


@router.post("/issuing-bodies/{body_id}")
def edit(body_id: int, request: Request, db: DbSession, who: Staff, name: Text = "", parent_name: Text = "",
         short_code: Text = "", place_name: Text = "", signer_title: Text = "", signer_name: Text = "",
         number_pattern: Text = "", active: Annotated[str, Form(max_length=3)] = "") -> Response:
    values = _posted(name, parent_name, short_code, place_name, signer_title, signer_name, number_pattern, active)
    with form_action(db) as refused:
        service.update_body(db, who, body_id, values)
    if refused:
        err = refused.error
        body = service.get_body(db, who, body_id)
        return _form_page(request, db, who, body, {**values, "unit": body.unit.key}, err)
    return redirect(f"/issuing-bodies/{body_id}", "Đã lưu cơ quan cấp.")


@router.post("/issuing-bodies/{body_id}/seal")
def upload_seal(body_id: int, request: Request, db: DbSession, who: Staff,
                seal: Annotated[UploadFile | None, File()] = None) -> Response:
    content = seal.file.read(rules.SEAL_MAX_BYTES + 1) if seal is not None and seal.filename else b""
    with form_action(db) as refused:
        service.set_seal(db, who, body_id, content)
    if refused:
        err = refused.error
        body = service.get_body(db, who, body_id)
        return _form_page(request, db, who, body, _values(body), err)
    return redirect(f"/issuing-bodies/{body_id}", "Đã lưu ảnh con dấu. Hãy xem thử giấy chứng nhận.")


@router.post("/issuing-bodies/{body_id}/seal/delete")
def delete_seal(body_id: int, db: DbSession, who: Staff) -> Response:
    with form_action(db) as refused:
        service.remove_seal(db, who, body_id)
    if refused:
        err = refused.error
        return redirect(f"/issuing-bodies/{body_id}", err.message, "error")
    return redirect(f"/issuing-bodies/{body_id}", "Đã xoá ảnh con dấu.")


@router.get("/issuing-bodies/{body_id}/seal.png")
def seal_image(body_id: int, db: DbSession, who: Staff) -> Response:
    return present.seal_response(service.get_body(db, who, body_id))


@router.get("/issuing-bodies/{body_id}/preview.pdf")
def preview(body_id: int, db: DbSession, who: Staff) -> Response:
    return present.preview_response(db, who, body_id)


@router.get("/issuing-bodies/{body_id}/register")
def register_page(body_id: int, request: Request, db: DbSession, who: Staff,
                  year: Annotated[int | None, Query(ge=2000, le=2100)] = None) -> HTMLResponse:
    body = service.get_body(db, who, body_id)
    years = service.register_years(db, body.id)
    year = year or (years[0] if years else rules.vn_date(utcnow()).year)
    return render(request, "issuers/register.html", {
        "body": body, "year": year, "years": years, "book": service.register_book(db, who, body.id, year),
        "row": book.row})


@router.get("/issuing-bodies/{body_id}/register/{year}.pdf")
def register_pdf(body_id: int, year: int, db: DbSession, who: Staff) -> Response:
    return present.register_response(db, who, body_id, year, "pdf")


@router.get("/issuing-bodies/{body_id}/register/{year}.xlsx")
def register_xlsx(body_id: int, year: int, db: DbSession, who: Staff) -> Response:
    return present.register_response(db, who, body_id, year, "xlsx")
