"""Signing keys of an issuing body over JSON: list, add a PKCS#12 file (multipart), use a PKCS#11 token, retire.
Admins only. Nothing here ever returns a private key, a password or a PIN."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from app.auth.permissions import AdminOnly
from app.db import DbSession
from app.signing import service
from app.signing.models import SigningKey

router = APIRouter(prefix="/api/v1", tags=["signing"])


class SigningKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    issuing_body_id: int
    kind: str
    subject: str
    issuer: str
    serial: str
    fingerprint: str
    not_before: datetime
    not_after: datetime
    active: bool
    is_demo: bool
    token_module: str | None = None
    token_label: str | None = None
    token_slot: int | None = None
    key_label: str | None = None
    pin_env: str | None = None
    created_at: datetime
    retired_at: datetime | None = None


class TokenIn(BaseModel):
    module: str = Field(min_length=1, max_length=300, description="path of the PKCS#11 module (.so)")
    key_label: str = Field(min_length=1, max_length=100)
    token_label: str = Field(default="", max_length=100)
    slot: int | None = Field(default=None, ge=0)
    pin_env: str = Field(default="NANGLUC_PKCS11_PIN", max_length=100,
                         description="name of the server's environment variable that holds the PIN")
    chain_pem: str = Field(default="", max_length=50_000, description="CA certificates above the key's, PEM")


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
