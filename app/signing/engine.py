"""PAdES signatures with pyHanko: sign a rendered certificate, and check the signatures in an uploaded PDF.

No database and no web framework here: keys come in as objects, PDFs as bytes.

Speed. pyHanko's defaults cost ~250 ms a signature: it loads the private key from DER for every signature (the
RSA key check alone is ~120 ms), signs twice (a dry run to size the signature container) and builds the CMS
structure with asn1crypto from Python dictionaries. For PAdES B-B with an RSA key every byte of that CMS structure
is the same from one certificate to the next except the document digest and the signature value, so `_Template`
builds it once through pyHanko and then only fills in those two (and signs the signed attributes, which is the
real cryptography). The key is loaded once, the container size is fixed, and the same `PdfSigner` is reused.
With a timestamp server or revocation data (B-T, B-LT) every signature goes through pyHanko's own path.
"""
from __future__ import annotations

import asyncio
import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from asn1crypto import cms
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp.noop import NoOpStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

FIELD_NAME = "ChuKySo"  # the signature field every certificate carries
DIGEST = "sha256"
_DUMMY_DIGEST = bytes(range(0x40, 0x60))  # 32 bytes that never occur elsewhere in a CMS template


def asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class _Template:
    """Mixed into a pyHanko signer: B-B signatures from a CMS template (see the module's docstring)."""

    _template: tuple[bytes, int, int, int, int, int] | None = None  # cms; attrs at, length; digest at; sig at, length

    async def _build_template(self) -> None:
        attrs = PdfCMSSignedAttributes()
        probe = b"\xa5" * self._signature_length()
        self._probe = probe
        try:
            ci = await super().async_sign(_DUMMY_DIGEST, DIGEST, use_pades=True,  # type: ignore[misc]
                                          signed_attr_settings=attrs)
        finally:
            self._probe = None
        der = ci.dump()
        attrs_der = ci["content"]["signer_infos"][0]["signed_attrs"].dump()
        at = der.find(attrs_der)
        digest_at = at + attrs_der.find(_DUMMY_DIGEST)
        sig_at = der.find(probe)
        if at < 0 or digest_at < at or sig_at < 0 or der.find(probe, sig_at + 1) >= 0:
            raise RuntimeError("CMS template: a placeholder was not found exactly once")
        self._template = (der, at, len(attrs_der), digest_at, sig_at, len(probe))

    _probe: bytes | None = None

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if self._probe is not None:  # building the template: a recognisable placeholder, no key operation
            return self._probe
        return await super().async_sign_raw(data, digest_algorithm, dry_run)  # type: ignore[misc]

    def _signature_length(self) -> int:
        return self.signing_cert.public_key.bit_size // 8  # type: ignore[attr-defined]

    def _templatable(self) -> bool:
        return self.signing_cert.public_key.algorithm == "rsa"  # type: ignore[attr-defined]

    async def async_sign(self, data_digest: bytes, digest_algorithm: str, dry_run: bool = False,
                         use_pades: bool = False, timestamper=None, signed_attr_settings=None,  # noqa: ANN001
                         is_pdf_sig: bool = True, encap_content_info=None) -> cms.ContentInfo:  # noqa: ANN001
        plain = (use_pades and timestamper is None and not dry_run and is_pdf_sig and encap_content_info is None
                 and digest_algorithm == DIGEST and self._templatable()
                 and (signed_attr_settings is None or _no_extras(signed_attr_settings)))
        if not plain:
            return await super().async_sign(  # type: ignore[misc]
                data_digest, digest_algorithm, dry_run=dry_run, use_pades=use_pades, timestamper=timestamper,
                signed_attr_settings=signed_attr_settings, is_pdf_sig=is_pdf_sig,
                encap_content_info=encap_content_info)
        if self._template is None:
            await self._build_template()
        der, attrs_at, attrs_len, digest_at, sig_at, sig_len = self._template  # type: ignore[misc]
        out = bytearray(der)
        out[digest_at:digest_at + 32] = data_digest
        attrs = bytearray(out[attrs_at:attrs_at + attrs_len])
        attrs[0] = 0x31  # what is signed is the attributes as a SET (RFC 5652 §5.4), not [0] IMPLICIT
        signature = await self.async_sign_raw(bytes(attrs), digest_algorithm)  # type: ignore[attr-defined]
        if len(signature) != sig_len:
            raise RuntimeError("signature of unexpected length")
        out[sig_at:sig_at + sig_len] = signature
        return cms.ContentInfo.load(bytes(out))


def _no_extras(attrs: PdfCMSSignedAttributes) -> bool:
    # The signing time is not a CMS attribute in PAdES (it is the signature dictionary's /M), so it may vary.
    return attrs.adobe_revinfo_attr is None and attrs.cades_signed_attrs is None


class FileSigner(_Template, signers.SimpleSigner):
    """A key held in memory (from an uploaded PKCS#12 file), loaded once."""

    def __init__(self, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, cert: x509.Certificate,
                 chain: list[x509.Certificate]) -> None:
        der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        super().__init__(signing_cert=asn1_cert(cert), signing_key=asn1_keys.PrivateKeyInfo.load(der),
                         cert_registry=SimpleCertificateStore.from_certs([asn1_cert(c) for c in chain]))
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        algorithm = hashes.SHA256() if digest_algorithm == DIGEST else None
        if algorithm is None:
            return super().sign_raw(data, digest_algorithm)
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), algorithm)
        return self._key.sign(data, ec.ECDSA(algorithm))


def token_signer(session, key_label: str, chain: list[x509.Certificate]):  # noqa: ANN001, ANN201
    """A key on a PKCS#11 token (an open session), found by its label; its certificate is read from the token."""
    from pyhanko.sign.pkcs11 import PKCS11Signer

    class TokenSigner(_Template, PKCS11Signer):
        pass

    return TokenSigner(session, key_label=key_label, cert_label=key_label,
                       ca_chain=[asn1_cert(c) for c in chain])


class _Writer(IncrementalPdfFileWriter):
    """The signature's incremental update without rewriting the document information dictionary: pyHanko would
    re-read the certificate's UTF-16 title and author and write them again with a new ModDate and Producer, a third
    of the time of a signature, for nothing a reader needs (the signing time is the signature's own /M)."""

    def _update_meta(self) -> None:
        pass


@dataclass(frozen=True)
class Placement:
    """Where the signature field sits: page index and box (x1, y1, x2, y2) in PDF points."""

    page: int
    box: tuple[float, float, float, float]


class PdfSealer:
    """One signer's reusable set-up: a `PdfSigner` with its field, and an event loop for pyHanko's async API.
    One signature at a time per sealer (a PKCS#11 session is not to be shared between threads)."""

    def __init__(self, signer: signers.Signer, placement: Placement, *, timestamp_url: str | None = None,
                 revocation: ValidationContext | None = None, reason: str = "", location: str = "",
                 session=None) -> None:  # noqa: ANN001
        from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper

        self.signer = signer
        self.timestamped = bool(timestamp_url)
        self.with_revocation = revocation is not None
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME, md_algorithm=DIGEST, subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason or None, location=location or None,
            embed_validation_info=revocation is not None, validation_context=revocation)
        self._pdf_signer = signers.PdfSigner(
            meta, signer, timestamper=HTTPTimeStamper(timestamp_url) if timestamp_url else None,
            stamp_style=NoOpStampStyle(),  # the appearance is drawn by the certificate itself (render.py)
            new_field_spec=fields.SigFieldSpec(FIELD_NAME, box=placement.box, on_page=placement.page))
        chain = sum(len(c.dump()) for c in getattr(signer, "cert_registry", ()) or ())
        # Hex-encoded CMS: certificates + signature + attributes, and room for a timestamp token and revocation data.
        self._reserved = 2 * (chain + 4096 + (8192 if timestamp_url else 0) + (32768 if revocation else 0))
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._session = session  # a PKCS#11 session, closed with the sealer

    def sign(self, pdf: bytes) -> bytes:
        """The PDF with one more revision: the signature (incremental update, so the first bytes stay as they were)."""
        with self._lock:
            writer = _Writer(BytesIO(pdf))
            out = BytesIO()
            self._loop.run_until_complete(self._pdf_signer.async_sign_pdf(
                writer, output=out, bytes_reserved=self._reserved))
            return out.getvalue()

    def close(self) -> None:
        with self._lock:
            self._loop.close()
            if self._session is not None:
                self._session.close()
                self._session = None


# ---------------------------------------------------------------------------------------------------- validation
@dataclass(frozen=True)
class SignatureCheck:
    """What the verify page says about one signature in a file."""

    field: str
    intact: bool            # the signed bytes are unchanged and the signature value matches them
    trusted: bool           # the signer's certificate chains to a trust root we know
    valid: bool             # intact, cryptographically valid and trusted
    unchanged_after: bool   # nothing was added to the file after this signature
    signer: str             # the signer certificate's common name
    organisation: str
    issuer: str
    fingerprint: str        # SHA-256 of the signer's certificate
    signed_at: datetime | None  # the signer's claimed time, or the timestamp's when there is one
    timestamped: bool
    problem: str = ""


def _name_part(name: asn1_x509.Name, key: str) -> str:
    return str(name.native.get(key, "") or "")


def check_pdf(content: bytes, trust_roots: list[x509.Certificate]) -> list[SignatureCheck]:
    """Validate every signature in `content` against `trust_roots` (no network: revocation data is used only
    when embedded). An unreadable file raises ValueError."""
    try:
        reader = PdfFileReader(BytesIO(content), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as err:  # noqa: BLE001 - pyHanko raises many kinds for a damaged file
        raise ValueError(str(err)) from err
    roots = [asn1_cert(c) for c in trust_roots]
    out = []
    loop = asyncio.new_event_loop()
    try:
        for sig in embedded:
            context = ValidationContext(trust_roots=roots, allow_fetching=False)
            try:
                status = loop.run_until_complete(async_validate_pdf_signature(sig, context))
            except Exception as err:  # noqa: BLE001 - a malformed signature is reported, not raised
                out.append(SignatureCheck(sig.field_name, False, False, False, False, "", "", "", "", None, False,
                                          str(err)[:200]))
                continue
            cert = status.signing_cert
            ts = status.timestamp_validity
            signed_at = ts.timestamp if ts is not None else status.signer_reported_dt
            whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
            out.append(SignatureCheck(
                field=sig.field_name, intact=bool(status.intact), trusted=bool(status.trusted),
                valid=bool(status.intact and status.valid and status.trusted),
                unchanged_after=whole, signer=_name_part(cert.subject, "common_name"),
                organisation=_name_part(cert.subject, "organization_name"),
                issuer=_name_part(cert.issuer, "common_name"),
                fingerprint=hashlib.sha256(cert.dump()).hexdigest(), signed_at=signed_at,
                timestamped=ts is not None))
    finally:
        loop.close()
    return out
