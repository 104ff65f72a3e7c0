"""JSON API for issuing bodies: list, create, edit, seal, a preview, and the register book per year."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile

from app.auth.permissions import Staff
from app.core.files import XLSX
from app.db import DbSession, Route
from app.issuers import present, service
from app.issuers.schemas import IssuingBodyIn, IssuingBodyOut, IssuingBodyUpdate

router = APIRouter(route_class=Route, prefix="/api/v1/issuing-bodies", tags=["issuing bodies"])


@router.get("", response_model=list[IssuingBodyOut])
def list_bodies(db: DbSession, who: Staff, unit: Annotated[str | None, Query(max_length=16)] = None,
                active: bool | None = None) -> list[IssuingBodyOut]:
    """The bodies the caller manages (an organiser: those of their unit and the units inside it; admins: all)."""
    return [present.body_out(b) for b in service.bodies(db, who, unit_key=unit, active=active)]


@router.post("", response_model=IssuingBodyOut, status_code=201)
def create_body(body: IssuingBodyIn, db: DbSession, who: Staff) -> IssuingBodyOut:
    values = body.model_dump(exclude={"unit"})
    return present.body_out(service.create_body(db, who, values, body.unit))


@router.get("/{body_id}", response_model=IssuingBodyOut)
def get_body(body_id: int, db: DbSession, who: Staff) -> IssuingBodyOut:
    return present.body_out(service.get_body(db, who, body_id))


@router.patch("/{body_id}", response_model=IssuingBodyOut)
def update_body(body_id: int, body: IssuingBodyUpdate, db: DbSession, who: Staff) -> IssuingBodyOut:
    return present.body_out(service.update_body(db, who, body_id, body.model_dump(exclude_unset=True)))


@router.put("/{body_id}/seal", response_model=IssuingBodyOut)
def put_seal(body_id: int, db: DbSession, who: Staff, file: Annotated[UploadFile, File()]) -> IssuingBodyOut:
    """The seal image: PNG or JPEG, at most 2 MB; kept as a PNG with a transparent background."""
    content = file.file.read(service.rules.SEAL_MAX_BYTES + 1)
    return present.body_out(service.set_seal(db, who, body_id, content))


@router.delete("/{body_id}/seal", response_model=IssuingBodyOut)
def delete_seal(body_id: int, db: DbSession, who: Staff) -> IssuingBodyOut:
    return present.body_out(service.remove_seal(db, who, body_id))


@router.get("/{body_id}/seal.png", response_class=Response, responses={200: {"content": {"image/png": {}}}})
def seal(body_id: int, db: DbSession, who: Staff) -> Response:
    return present.seal_response(service.get_body(db, who, body_id))


@router.get("/{body_id}/preview.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
def preview(body_id: int, db: DbSession, who: Staff) -> Response:
    """A specimen certificate as the body prints it now."""
    return present.preview_response(db, who, body_id)


@router.get("/{body_id}/register/{year}.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
def register_pdf(body_id: int, year: int, db: DbSession, who: Staff) -> Response:
    """The register book (sổ cấp giấy chứng nhận) of the body for a year, landscape A4."""
    return present.register_response(db, who, body_id, year, "pdf")


@router.get("/{body_id}/register/{year}.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}}})
def register_xlsx(body_id: int, year: int, db: DbSession, who: Staff) -> Response:
    """The same book as a spreadsheet: entry, number, name, birth date, course, dates, issue date, signature."""
    return present.register_response(db, who, body_id, year, "xlsx")
