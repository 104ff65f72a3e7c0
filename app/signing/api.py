"""Signing keys of an issuing body over JSON: list, add a PKCS#12 file (multipart), use a PKCS#11 token, retire.
Admins only. Nothing here ever returns a private key, a password or a PIN."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from app.auth.permissions import AdminOnly
from app.db import DbSession, Route
from app.signing import service
from app.signing.models import SigningKey
from app.signing.schemas import SigningKeyOut, TokenIn

router = APIRouter(route_class=Route, prefix="/api/v1", tags=["signing"])


def _out(key: SigningKey) -> SigningKeyOut:
    return SigningKeyOut.model_validate(key)


@router.get("/issuers/{body_id}/signing-keys", response_model=list[SigningKeyOut])
def list_keys(body_id: int, db: DbSession, who: AdminOnly) -> list[SigningKeyOut]:
    return [_out(k) for k in service.keys_of(db, who, body_id)]


@router.post("/issuers/{body_id}/signing-keys/pkcs12", response_model=SigningKeyOut, status_code=201)
def add_pkcs12(body_id: int, db: DbSession, who: AdminOnly, file: Annotated[UploadFile, File()],
               password: Annotated[str, Form(max_length=200)] = "") -> SigningKeyOut:
    data = file.file.read(service.KEY_FILE_MAX_BYTES + 1)
    return _out(service.add_pkcs12(db, who, body_id, data, password))


@router.post("/issuers/{body_id}/signing-keys/token", response_model=SigningKeyOut, status_code=201)
def add_token(body_id: int, body: TokenIn, db: DbSession, who: AdminOnly) -> SigningKeyOut:
    return _out(service.add_token(db, who, body_id, service.TokenConfig(**body.model_dump())))


@router.post("/signing-keys/{key_id}/retire", response_model=SigningKeyOut)
def retire(key_id: int, db: DbSession, who: AdminOnly) -> SigningKeyOut:
    return _out(service.retire(db, who, key_id))
