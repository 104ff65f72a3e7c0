"""Signing-key pages for admins: every issuing body with its key, and one body's keys (add a PKCS#12 file, use a
token, retire)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from app.auth.permissions import AdminOnly
from app.db import DbSession, Route, utcnow
from app.errors import DomainError, Invalid
from app.issuers.models import IssuingBody
from app.signing import service
from app.signing.models import SigningKey
from app.web import form_action, redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)


@router.get("/signing")
def bodies(request: Request, db: DbSession, who: AdminOnly) -> HTMLResponse:
    rows = list(db.execute(select(IssuingBody, SigningKey).outerjoin(
        SigningKey, (SigningKey.issuing_body_id == IssuingBody.id) & SigningKey.active.is_(True))
        .order_by(IssuingBody.name, IssuingBody.id)))
    return render(request, "signing/bodies.html", {"rows": rows})


@router.get("/issuers/{body_id}/signing")
def keys(body_id: int, request: Request, db: DbSession, who: AdminOnly) -> HTMLResponse:
    body = service.get_body(db, body_id)
    return render(request, "signing/keys.html", {"body": body, "keys": service.keys_of(db, who, body_id),
                                                 "now": utcnow()})


def _refused(db, back: str, err: DomainError) -> Response:  # noqa: ANN001
    db.rollback()  # nothing of a refused action is kept
    return redirect(back, err.message, "error")


@router.post("/issuers/{body_id}/signing/pkcs12")
def add_pkcs12(body_id: int, db: DbSession, who: AdminOnly, file: Annotated[UploadFile, File()],
               password: Annotated[str, Form(max_length=200)] = "") -> Response:
    back = f"/issuers/{body_id}/signing"
    with form_action(db) as refused:
        key = service.add_pkcs12(db, who, body_id, file.file.read(service.KEY_FILE_MAX_BYTES + 1), password)
    if refused:
        err = refused.error
        return _refused(db, back, err)
    return redirect(back, f"Đã dùng khoá của {key.subject} để ký giấy chứng nhận từ nay.")


@router.post("/issuers/{body_id}/signing/token")
def add_token(body_id: int, db: DbSession, who: AdminOnly, module: Annotated[str, Form(max_length=300)],
              key_label: Annotated[str, Form(max_length=100)], token_label: Annotated[str, Form(max_length=100)] = "",
              slot: Annotated[str, Form(max_length=6)] = "",
              pin_env: Annotated[str, Form(max_length=100)] = "NANGLUC_PKCS11_PIN",
              chain_pem: Annotated[str, Form(max_length=50_000)] = "") -> Response:
    back = f"/issuers/{body_id}/signing"
    with form_action(db) as refused:
        if slot.strip() and not slot.strip().isdigit():
            raise Invalid("slot_invalid", "Khe (slot) là một số, hoặc để trống.", field="slot")
        config = service.TokenConfig(module.strip(), key_label.strip(), token_label.strip(),
                                     int(slot) if slot.strip() else None, pin_env.strip(), chain_pem)
        key = service.add_token(db, who, body_id, config)
    if refused:
        err = refused.error
        return _refused(db, back, err)
    return redirect(back, f"Đã dùng thiết bị ký ({key.subject}) để ký giấy chứng nhận từ nay.")


@router.post("/signing-keys/{key_id}/retire")
def retire(key_id: int, db: DbSession, who: AdminOnly) -> Response:
    key = db.get(SigningKey, key_id)
    back = f"/issuers/{key.issuing_body_id}/signing" if key else "/signing"
    with form_action(db) as refused:
        service.retire(db, who, key_id)
    if refused:
        err = refused.error
        return _refused(db, back, err)
    return redirect(back, "Đã thôi dùng khoá này. Giấy đã ký bằng khoá này vẫn còn giá trị.")
