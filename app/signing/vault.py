"""Private keys at rest: AES-256-GCM under a key derived (HKDF-SHA256) from the installation's secret key, so a
database backup alone never yields a usable signing key. The signing key's id is bound as associated data: a sealed
key copied onto another record does not open."""
from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.config import get_settings

_VERSION = b"\x01"
_INFO = b"nangluc signing-key vault v1"


class VaultError(RuntimeError):
    """A sealed key that does not open: another installation's secret, or damaged."""


def _aead() -> AESGCM:
    secret = get_settings().resolved_secret_key().encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"nangluc-signing", info=_INFO).derive(secret)
    return AESGCM(key)


def seal(plain: bytes, binding: str) -> bytes:
    nonce = os.urandom(12)
    return _VERSION + nonce + _aead().encrypt(nonce, plain, binding.encode())


def open_sealed(sealed: bytes, binding: str) -> bytes:
    if not sealed or sealed[:1] != _VERSION:
        raise VaultError("unknown sealed-key format")
    try:
        return _aead().decrypt(sealed[1:13], sealed[13:], binding.encode())
    except InvalidTag:
        raise VaultError("the sealed key does not open with this installation's secret key") from None
