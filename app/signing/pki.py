"""Small X.509 helpers on `cryptography`: a self-made CA and a signing certificate under it (the demo key, tests,
the benchmark), and reading a PKCS#12 file. Nothing here touches the database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class Issued:
    key: PrivateKey
    cert: x509.Certificate


def _cap(text: str, limit: int = 64) -> str:
    """Names are capped at 64 (RFC 5280 ub-common-name); `cryptography` counts UTF-8 bytes, and Vietnamese letters
    take two or three."""
    while len(text.encode()) > limit:
        text = text[:-1]
    return text.rstrip()


def _name(common_name: str, organisation: str = "") -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organisation:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, _cap(organisation)))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, _cap(common_name)))
    return x509.Name(parts)


def new_key(kind: str = "rsa") -> PrivateKey:
    return ec.generate_private_key(ec.SECP256R1()) if kind == "ec" else rsa.generate_private_key(65537, 2048)


def make_ca(common_name: str, *, days: int = 3650, now: datetime | None = None, key_kind: str = "rsa") -> Issued:
    """A self-signed root that may only issue certificates."""
    now = now or datetime.now(UTC)
    key = new_key(key_kind)
    name = _name(common_name)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return Issued(key, cert)


def make_signer(ca: Issued, common_name: str, organisation: str = "", *, days: int = 1095,
                now: datetime | None = None, key: PrivateKey | None = None, key_kind: str = "rsa",
                crl_url: str | None = None) -> Issued:
    """A document-signing certificate for `common_name` (the issuing body) under `ca`; with `crl_url`, the
    certificate names where its CA publishes revocations (what PAdES B-LT embeds)."""
    now = now or datetime.now(UTC)
    key = key or new_key(key_kind)
    builder = x509.CertificateBuilder()
    if crl_url:
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            [x509.UniformResourceIdentifier(crl_url)], None, None, None)]), critical=False)
    cert = (builder.subject_name(_name(common_name, organisation)).issuer_name(ca.cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION,
                                                  ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(ca.key, hashes.SHA256()))
    return Issued(key, cert)


def make_tsa(ca: Issued, common_name: str = "Năng Lực test TSA", *, days: int = 365) -> Issued:
    """A timestamping authority's certificate under `ca` (tests: a local RFC 3161 server)."""
    now = datetime.now(UTC)
    key = new_key()
    cert = (x509.CertificateBuilder().subject_name(_name(common_name)).issuer_name(ca.cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=days))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
            .sign(ca.key, hashes.SHA256()))
    return Issued(key, cert)


def make_crl(ca: Issued, revoked_serials: tuple[int, ...] = (), *, days: int = 7) -> bytes:
    """A DER CRL of `ca` revoking the given serial numbers."""
    now = datetime.now(UTC)
    builder = (x509.CertificateRevocationListBuilder().issuer_name(ca.cert.subject)
               .last_update(now - timedelta(minutes=5)).next_update(now + timedelta(days=days)))
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(serial)
                                                  .revocation_date(now - timedelta(minutes=1)).build())
    return builder.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def to_pkcs12(signer: Issued, chain: list[x509.Certificate], password: bytes, name: str = "signing") -> bytes:
    return pkcs12.serialize_key_and_certificates(name.encode(), signer.key, signer.cert, chain,
                                                 serialization.BestAvailableEncryption(password))


def key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def common_name(name: x509.Name) -> str:
    found = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(found[0].value) if found else name.rfc4514_string()
