"""Signing keys of issuing bodies (add a PKCS#12 file or a PKCS#11 token, replace, retire), signing a certificate at
issue time, and checking the signatures of an uploaded PDF for the verify page.

Keys: an admin adds them (a signing key speaks for a whole department). The private key of a file is sealed under the
installation's secret (vault.py) and never leaves the server again; a token's PIN is read from the environment
variable the record names. Neither appears in audit events, logs or error messages.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.auth.principal import Principal
from app.config import get_settings
from app.db import utcnow
from app.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from app.issuers.models import IssuingBody
from app.signing import engine, pki, rules, vault
from app.signing.models import FILE, TOKEN, SigningKey

log = logging.getLogger(__name__)

KEY_FILE_MAX_BYTES = 64 * 1024
VN_TIME = timedelta(hours=7)
DEMO_NOTE = "DEMO — không có giá trị pháp lý"


class SigningUnavailable(DomainError):
    status = 503

    def __init__(self, message: str) -> None:
        super().__init__("signing_unavailable", message)


def _ensure_admin(who: Principal) -> None:
    if not who.is_admin:
        raise Forbidden("Chỉ quản trị hệ thống được thêm hoặc thay khoá ký số của cơ quan cấp.")


def get_body(db: Session, body_id: int) -> IssuingBody:
    body = db.get(IssuingBody, body_id)
    if body is None:
        raise NotFound("Không tìm thấy cơ quan cấp.", code="issuing_body_not_found")
    return body


def keys_of(db: Session, who: Principal, body_id: int) -> list[SigningKey]:
    """The body's keys, the active one first, then the replaced ones newest first."""
    _ensure_admin(who)
    get_body(db, body_id)
    return list(db.scalars(select(SigningKey).where(SigningKey.issuing_body_id == body_id)
                           .order_by(SigningKey.active.desc(), SigningKey.created_at.desc(), SigningKey.id.desc())))


def active_key(db: Session, body_id: int | None) -> SigningKey | None:
    if body_id is None:
        return None
    return db.scalar(select(SigningKey).where(SigningKey.issuing_body_id == body_id, SigningKey.active.is_(True)))


# --- reading keys -------------------------------------------------------------------------------------------------


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _may_sign_documents(cert: x509.Certificate) -> bool:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return bool(usage.digital_signature or usage.content_commitment)


def _public_der(key) -> bytes:  # noqa: ANN001
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


@dataclass
class _Loaded:
    facts: rules.KeyFacts
    key: object | None = None
    cert: x509.Certificate | None = None
    chain: list[x509.Certificate] | None = None


def _cert_facts(cert: x509.Certificate | None, matches: bool, *, has_key: bool = True) -> rules.KeyFacts:
    return rules.KeyFacts(
        opened=True, has_key=has_key, has_cert=cert is not None, key_matches_cert=matches,
        not_before=cert.not_valid_before_utc if cert else None, not_after=cert.not_valid_after_utc if cert else None,
        is_ca=_is_ca(cert) if cert else False, may_sign_documents=_may_sign_documents(cert) if cert else False)


def read_pkcs12(data: bytes, password: str) -> _Loaded:
    """Open a PKCS#12 file. Some exports do not pair the key with its certificate; then the certificate is the one
    among the file's certificates that is not a CA's."""
    try:
        key, cert, more = pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    except (ValueError, TypeError):
        return _Loaded(rules.KeyFacts(False, False, False, False, None, None, False, False))
    more = list(more or [])
    if cert is None:
        leaves = [c for c in more if not _is_ca(c)]
        cert = leaves[0] if leaves else None
        more = [c for c in more if c is not cert]
    matches = key is not None and cert is not None and _public_der(key.public_key()) == _public_der(cert.public_key())
    ok_kind = isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
    return _Loaded(_cert_facts(cert, matches, has_key=key is not None and ok_kind), key, cert, _order_chain(cert, more))


def _order_chain(cert: x509.Certificate | None, others: list[x509.Certificate]) -> list[x509.Certificate]:
    """The CA certificates from the signer's issuer upwards, root last; certificates not on the path are left out."""
    chain, node, pool = [], cert, list(others)
    while node is not None and node.issuer != node.subject:
        found = next((c for c in pool if c.subject == node.issuer), None)
        if found is None:
            break
        chain.append(found)
        pool.remove(found)
        node = found
    return chain


def _refuse(reason: rules.Reason, field: str) -> None:
    raise Invalid(reason.code, reason.vi, field=field)


def _new_key(db: Session, who: Principal, body: IssuingBody, kind: str, cert: x509.Certificate,
             chain: list[x509.Certificate], *, is_demo: bool = False, **fields: object) -> SigningKey:
    """Record a key as the body's active one; the one it replaces is retired (it stays a record, so certificates
    signed with it still verify)."""
    old = active_key(db, body.id)
    if old is not None:
        old.active, old.retired_at, old.retired_by_id = False, utcnow(), who.user_id
        db.flush()
    der = cert.public_bytes(serialization.Encoding.DER)
    key = SigningKey(issuing_body_id=body.id, kind=kind, subject=pki.common_name(cert.subject)[:300],
                     issuer=pki.common_name(cert.issuer)[:300], serial=format(cert.serial_number, "x")[:80],
                     fingerprint=hashlib.sha256(der).hexdigest(), not_before=cert.not_valid_before_utc,
                     not_after=cert.not_valid_after_utc, cert_pem=pki.cert_pem(cert).decode(),
                     chain_pem="".join(pki.cert_pem(c).decode() for c in chain), is_demo=is_demo, active=True,
                     created_by_id=who.user_id, **fields)
    db.add(key)
    db.flush()
    audit.record(db, who, "signing.key_add", "issuing_body", body.id,
                 {"key": key.id, "kind": kind, "subject": key.subject, "issuer": key.issuer,
                  "fingerprint": key.fingerprint, "not_after": key.not_after.isoformat(),
                  "replaces": old.id if old else None})
    return key


def add_pkcs12(db: Session, who: Principal, body_id: int, data: bytes, password: str, *,
               is_demo: bool = False) -> SigningKey:
    """Add a PKCS#12 file as the body's signing key (replacing the current one). Refused, with the reason, for a
    wrong password, a file without a matching key and certificate, or a certificate that is expired, not yet valid,
    a CA's, or not for signing."""
    _ensure_admin(who)
    body = get_body(db, body_id)
    if not data:
        raise Invalid("file_required", "Hãy chọn tệp khoá (.p12 hoặc .pfx).", field="file")
    if len(data) > KEY_FILE_MAX_BYTES:
        raise Invalid("file_too_large", "Tệp khoá quá lớn: tệp .p12/.pfx thường dưới 20 KB.", field="file")
    loaded = read_pkcs12(data, password)
    why = rules.may_sign(loaded.facts, datetime.now(UTC))
    if why:
        _refuse(why, "password" if why is rules.WRONG_PASSWORD else "file")
    private_der = loaded.key.private_bytes(serialization.Encoding.DER,  # type: ignore[union-attr]
                                           serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    key = _new_key(db, who, body, FILE, loaded.cert, loaded.chain or [], is_demo=is_demo,  # type: ignore[arg-type]
                   sealed_key=b"")
    key.sealed_key = vault.seal(private_der, _binding(key))
    db.flush()
    return key


def _binding(key: SigningKey) -> str:
    return f"signing_key:{key.id}:{key.fingerprint}"


@dataclass(frozen=True)
class TokenConfig:
    module: str
    key_label: str
    token_label: str = ""
    slot: int | None = None
    pin_env: str = "NANGLUC_PKCS11_PIN"
    chain_pem: str = ""


def _open_token(config: TokenConfig):  # noqa: ANN202
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import open_pkcs11_session

    if not config.module or not os.path.isfile(config.module):
        raise Invalid("module_not_found", "Không tìm thấy thư viện PKCS#11 theo đường dẫn đã nhập.", field="module")
    pin = os.environ.get(config.pin_env or "")
    if not pin:
        raise Invalid("pin_missing", "Biến môi trường chứa mã PIN của thiết bị ký chưa được đặt trên máy chủ.",
                      field="pin_env")
    criteria = TokenCriteria(label=config.token_label) if config.token_label else None
    from pkcs11.exceptions import UserAlreadyLoggedIn

    try:
        try:
            return open_pkcs11_session(config.module, slot_no=config.slot, token_criteria=criteria, user_pin=pin)
        except UserAlreadyLoggedIn:  # this process already holds a logged-in session with the token (PKCS#11
            # login is per application): a new session shares it
            return open_pkcs11_session(config.module, slot_no=config.slot, token_criteria=criteria, user_pin=None)
    except Exception as err:  # noqa: BLE001 - PKCS#11 modules raise their own kinds; the PIN is never in them
        log.warning("PKCS#11 token did not open: %s", type(err).__name__)
        raise Invalid("token_unavailable", "Không mở được thiết bị ký: sai nhãn thiết bị, khe (slot) hoặc mã PIN.",
                      field="token_label") from None


def _read_token(config: TokenConfig) -> tuple[object, x509.Certificate, list[x509.Certificate]]:
    """Open the token, read the key's certificate and check the key signs for it (one test signature)."""
    session = _open_token(config)
    try:
        chain = [x509.load_pem_x509_certificate(block) for block in _pem_blocks(config.chain_pem)]
    except ValueError:
        session.close()
        raise Invalid("chain_invalid", "Chuỗi chứng thư (PEM) không đọc được.", field="chain_pem") from None
    try:
        signer = engine.token_signer(session, config.key_label, chain)
        cert = x509.load_der_x509_certificate(signer.signing_cert.dump())
        probe = b"nangluc key check"
        signature = asyncio.run(signer.async_sign_raw(probe, engine.DIGEST))
    except Exception:  # noqa: BLE001
        session.close()
        raise Invalid("key_not_found", "Không tìm thấy khoá và chứng thư số có nhãn này trên thiết bị ký.",
                      field="key_label") from None
    public = cert.public_key()
    try:
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, probe, padding.PKCS1v15(), hashes.SHA256())
        else:
            public.verify(signature, probe, ec.ECDSA(hashes.SHA256()))  # type: ignore[union-attr, call-arg]
        matches = True
    except Exception:  # noqa: BLE001
        matches = False
    why = rules.may_sign(_cert_facts(cert, matches), datetime.now(UTC))
    if why:
        session.close()
        _refuse(why, "key_label")
    return session, cert, _order_chain(cert, chain)


def _pem_blocks(text: str) -> list[bytes]:
    marker = "-----END CERTIFICATE-----"
    return [(part + marker).strip().encode() for part in (text or "").split(marker) if "BEGIN CERTIFICATE" in part]


def add_token(db: Session, who: Principal, body_id: int, config: TokenConfig) -> SigningKey:
    """Use a key on a PKCS#11 token (the USB tokens Vietnamese CAs issue, or an HSM) as the body's signing key.
    The token is opened now, with the PIN from the environment, to prove the configuration signs."""
    _ensure_admin(who)
    body = get_body(db, body_id)
    if not config.key_label.strip():
        raise Invalid("key_label_required", "Hãy nhập nhãn khoá (key label) trên thiết bị ký.", field="key_label")
    if not config.pin_env.replace("_", "").isalnum() or not config.pin_env.isupper():
        raise Invalid("pin_env_invalid", "Tên biến môi trường chứa mã PIN chỉ gồm chữ in hoa, số và dấu gạch dưới.",
                      field="pin_env")
    session, cert, chain = _read_token(config)
    session.close()
    return _new_key(db, who, body, TOKEN, cert, chain, token_module=config.module,
                    token_label=config.token_label or None, token_slot=config.slot, key_label=config.key_label,
                    pin_env=config.pin_env)


def retire(db: Session, who: Principal, key_id: int) -> SigningKey:
    """Stop signing with a key (the body then issues unsigned until a new key is added). Certificates already
    signed with it stay valid."""
    _ensure_admin(who)
    key = db.get(SigningKey, key_id, with_for_update=True)
    if key is None:
        raise NotFound("Không tìm thấy khoá ký số.", code="signing_key_not_found")
    if not key.active:
        raise Conflict("already_retired", "Khoá này đã thôi dùng.")
    key.active, key.retired_at, key.retired_by_id = False, utcnow(), who.user_id
    db.flush()
    audit.record(db, who, "signing.key_retire", "issuing_body", key.issuing_body_id,
                 {"key": key.id, "fingerprint": key.fingerprint})
    return key


# --- signing ------------------------------------------------------------------------------------------------------

# One sealer per key and process: the key is unsealed (or the token session opened) once, and the CMS template is
# built once. A replaced key has another id, so it is never used again; the fingerprint guards against an id used
# again after a restore.
_sealers: dict[tuple[int, str], engine.PdfSealer] = {}
_sealers_lock = threading.Lock()

# Where the signature field sits: over the signer block, right of the seal (render.SIGNATURE_BOX).
_placement: engine.Placement | None = None


def _chain(key: SigningKey) -> list[x509.Certificate]:
    return [x509.load_pem_x509_certificate(b) for b in _pem_blocks(key.chain_pem)]


def _revocation_context(cert: x509.Certificate, chain: list[x509.Certificate]):  # noqa: ANN202
    """For PAdES B-LT: a validation context that fetches OCSP/CRL data, when the certificate says where from."""
    if not get_settings().signing_embed_revocation or not chain:  # without the CA chain there is no path to check
        return None
    try:
        cert.extensions.get_extension_for_class(x509.CRLDistributionPoints)
    except x509.ExtensionNotFound:
        try:
            cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
        except x509.ExtensionNotFound:
            return None
    from pyhanko_certvalidator import ValidationContext

    roots = [engine.asn1_cert(chain[-1])] if chain else []
    return ValidationContext(trust_roots=roots, other_certs=[engine.asn1_cert(c) for c in chain[:-1]],
                             allow_fetching=True)


def _build_sealer(key: SigningKey) -> engine.PdfSealer:
    from app.certificates.render import SIGNATURE_BOX

    chain = _chain(key)
    cert = x509.load_pem_x509_certificate(key.cert_pem.encode())
    session = None
    if key.kind == FILE:
        try:
            private = serialization.load_der_private_key(vault.open_sealed(key.sealed_key or b"", _binding(key)),
                                                         None)
        except vault.VaultError:
            raise SigningUnavailable("Không mở được khoá ký số của cơ quan cấp (khoá bí mật của máy chủ đã đổi?). "
                                     "Hãy tải lại tệp khoá.") from None
        signer = engine.FileSigner(private, cert, chain)  # type: ignore[arg-type]
    else:
        session, _, _ = _read_token(TokenConfig(key.token_module or "", key.key_label or "", key.token_label or "",
                                                key.token_slot, key.pin_env or "", key.chain_pem))
        signer = engine.token_signer(session, key.key_label or "", chain)
    settings = get_settings()
    return engine.PdfSealer(signer, engine.Placement(0, SIGNATURE_BOX), timestamp_url=settings.signing_tsa_url,
                            revocation=_revocation_context(cert, chain), reason="Cấp giấy chứng nhận",
                            session=session)


def sealer_for(db: Session, body_id: int | None) -> tuple[SigningKey, engine.PdfSealer] | None:
    """The body's active key ready to sign, or None when the body has no key (it then issues unsigned)."""
    key = active_key(db, body_id)
    if key is None:
        return None
    with _sealers_lock:
        sealer = _sealers.get((key.id, key.fingerprint))
        if sealer is None:
            try:
                sealer = _build_sealer(key)
            except Invalid as err:  # a token that no longer opens: say so instead of issuing unsigned
                raise SigningUnavailable(f"Thiết bị ký của cơ quan cấp không dùng được: {err.message}") from None
            _sealers[(key.id, key.fingerprint)] = sealer
    return key, sealer


def forget_sealers() -> None:
    """Drop the cached keys and token sessions (tests, and after a key is retired in another process)."""
    with _sealers_lock:
        for sealer in _sealers.values():
            sealer.close()
        _sealers.clear()


def appearance(key: SigningKey, when: datetime) -> str:
    """The lines printed in the signature field of the certificate: who signed and when (Vietnam time)."""
    local = when.astimezone(UTC) + VN_TIME
    lines = ["Đã ký số bởi:", key.subject, f"Thời gian ký: {local:%d/%m/%Y %H:%M}"]
    if key.is_demo:
        lines.append(f"Chữ ký {DEMO_NOTE}")
    return "\n".join(lines)


def sign_certificate(signing: tuple[SigningKey, engine.PdfSealer] | None, pdf: bytes) -> bytes:
    """The certificate as signed by its issuing body (`signing` from `sealer_for`), or as it is when unsigned."""
    if signing is None:
        return pdf
    try:
        return signing[1].sign(pdf)
    except Exception as err:  # noqa: BLE001 - a token pulled out, a timestamp server down: no 500, say what failed
        log.warning("signing failed with key %s: %s", signing[0].id, type(err).__name__)
        raise SigningUnavailable("Không ký số được giấy chứng nhận (thiết bị ký hoặc máy chủ cấp dấu thời gian "
                                 "không trả lời). Chưa cấp giấy nào; hãy thử lại sau.") from None


# --- checking uploaded files --------------------------------------------------------------------------------------


def trust_roots(db: Session) -> list[x509.Certificate]:
    """Trust anchors for checking files: the top of every chain an admin configured for a body (the demo CA among
    them), and the roots in NANGLUC_SIGNING_TRUST_ROOTS (e.g. the national root CA)."""
    roots: dict[bytes, x509.Certificate] = {}
    for chain_pem, cert_pem in db.execute(select(SigningKey.chain_pem, SigningKey.cert_pem)):
        blocks = _pem_blocks(chain_pem) or _pem_blocks(cert_pem)
        cert = x509.load_pem_x509_certificate(blocks[-1])
        roots[cert.fingerprint(hashes.SHA256())] = cert
    bundle = get_settings().signing_trust_roots
    if bundle and bundle.is_file():
        for cert in x509.load_pem_x509_certificates(bundle.read_bytes()):
            roots[cert.fingerprint(hashes.SHA256())] = cert
    return list(roots.values())


def check_file(db: Session, content: bytes) -> dict:
    """What the verify page says about the signatures in an uploaded PDF: none, or each one's validity, signer,
    time and whether the file changed after it; a key of ours is named (and the demo key called a demo)."""
    try:
        checks = engine.check_pdf(content, trust_roots(db))
    except ValueError:
        return {"readable": False, "signatures": []}
    known = {k.fingerprint: k for k in db.scalars(select(SigningKey).where(
        SigningKey.fingerprint.in_([c.fingerprint for c in checks])))} if checks else {}
    out = []
    for c in checks:
        key = known.get(c.fingerprint)
        local = (c.signed_at.astimezone(UTC) + VN_TIME) if c.signed_at else None
        out.append({"valid": c.valid, "intact": c.intact, "trusted": c.trusted, "unchanged_after": c.unchanged_after,
                    "signer": c.signer, "organisation": c.organisation, "issuer": c.issuer,
                    "signed_at": c.signed_at.isoformat() if c.signed_at else None,
                    "signed_at_local": f"{local:%d/%m/%Y %H:%M}" if local else "", "timestamped": c.timestamped,
                    "ours": key is not None, "demo": bool(key and key.is_demo), "problem": c.problem})
    return {"readable": True, "signatures": out}
