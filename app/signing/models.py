"""Signing keys of issuing bodies: a PKCS#12 file (its private key kept encrypted under the installation's secret,
never given out again) or a PKCS#11 token (module, token, key label; the PIN is read from the environment, never
stored). A body has at most one active key; replaced keys stay as records, so older certificates still verify."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UtcDateTime, utcnow
from app.issuers.models import IssuingBody  # noqa: F401  (signing_key.issuing_body_id refers to its table)

FILE, TOKEN = "file", "token"


class SigningKey(Base):
    __tablename__ = "signing_key"
    __table_args__ = (
        Index("uq_signing_key_active_body", "issuing_body_id", unique=True,
              postgresql_where=text("active"), sqlite_where=text("active")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuing_body_id: Mapped[int] = mapped_column(ForeignKey("issuing_body.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # file, token
    # The certificate (public): shown to organisers and used as a trust anchor when checking uploaded files.
    subject: Mapped[str] = mapped_column(String(300))  # common name
    issuer: Mapped[str] = mapped_column(String(300))
    serial: Mapped[str] = mapped_column(String(80))
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)  # SHA-256 of the certificate
    not_before: Mapped[datetime] = mapped_column(UtcDateTime)
    not_after: Mapped[datetime] = mapped_column(UtcDateTime)
    cert_pem: Mapped[str] = mapped_column(Text)
    chain_pem: Mapped[str] = mapped_column(Text, default="")  # the CA certificates above it, root last
    # kind=file: the private key (PKCS#8 DER) sealed with AES-256-GCM under a key derived from the secret key.
    sealed_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    # kind=token: where the key is; the PIN comes from the environment variable named here.
    token_module: Mapped[str | None] = mapped_column(String(300))
    token_label: Mapped[str | None] = mapped_column(String(100))
    token_slot: Mapped[int | None] = mapped_column(Integer)
    key_label: Mapped[str | None] = mapped_column(String(100))
    pin_env: Mapped[str | None] = mapped_column(String(100))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)  # under the demo CA: no legal value
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
