"""A backup (app/ops/backup.py, both engines) holds the signing keys' public certificates and the sealed private key,
never the private key itself, the PKCS#12 password or a token's PIN."""
from __future__ import annotations

import base64
import subprocess

from cryptography.hazmat.primitives import serialization
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.db import make_engine, normalise_url
from app.issuers.models import IssuingBody
from app.ops import backup
from app.ops.migrate import upgrade
from app.places import service as places
from app.signing import service as signing
from app.signing.models import SigningKey
from tests.conftest import fresh_database_url
from tests.signing.conftest import PASSWORD


def _readable(url: str, path) -> bytes:  # noqa: ANN001
    """The backup's content as bytes to search: the SQLite file itself, or pg_dump's archive as SQL."""
    if backup.kind_of(path) == "sqlite":
        return path.read_bytes()
    parsed = make_url(normalise_url(url))
    uri, env = backup._libpq(parsed)
    tool = backup._pg_tool("pg_restore", backup._server_major(parsed))
    return subprocess.run([tool, "--file=-", str(path)], env=env, capture_output=True, check=True).stdout


def test_a_backup_never_holds_a_private_key_password_or_pin(backend, tmp_path, body_key, p12, token, monkeypatch):  # noqa: ANN001
    url = fresh_database_url(backend)
    upgrade("head", url)
    engine = make_engine(url)
    monkeypatch.setenv("NANGLUC_PKCS11_PIN_BACKUP", token.pin)
    try:
        with Session(engine, expire_on_commit=False) as db:
            who = Principal.system("test")
            unit = places.get_by_key(db, "24")
            bodies = [IssuingBody(unit_id=unit.id, name=f"SỞ {i}") for i in range(2)]
            db.add_all(bodies)
            db.flush()
            signing.add_pkcs12(db, who, bodies[0].id, p12, PASSWORD)
            signing.add_token(db, who, bodies[1].id, signing.TokenConfig(
                token.module, token.key_label, token.token_label, pin_env="NANGLUC_PKCS11_PIN_BACKUP"))
            fingerprints = [k.fingerprint for k in db.query(SigningKey)]
            db.commit()
    finally:
        engine.dispose()
        signing.forget_sealers()
    result = backup.backup(url, tmp_path / "backup.bin")
    content = _readable(url, result.path)
    assert all(f.encode() in content for f in fingerprints)  # the keys are in the backup, as records
    der = body_key.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
    pem_body = base64.b64encode(der)[100:160]
    for secret in (der[100:140], der.hex()[200:280].encode(), pem_body, PASSWORD.encode(), token.pin.encode(),
                   p12[200:240]):
        assert secret not in content
