from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


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
