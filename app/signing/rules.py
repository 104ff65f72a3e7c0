"""Whether a key may sign certificates: plain decisions on facts read from the key and its certificate, each
refusal with its reason (code, Vietnamese, English)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.people.rules import Reason


@dataclass(frozen=True)
class KeyFacts:
    """What the rules need to know about an uploaded key and certificate."""

    opened: bool                  # the file opened with the password given
    has_key: bool
    has_cert: bool
    key_matches_cert: bool        # the certificate's public key is the private key's
    not_before: datetime | None
    not_after: datetime | None
    is_ca: bool                   # a CA certificate, not a signer's
    may_sign_documents: bool      # key usage allows digital signature or non-repudiation (or says nothing)


WRONG_PASSWORD = Reason("wrong_password",
                        "Không mở được tệp khoá: sai mật khẩu hoặc tệp không phải PKCS#12 (.p12/.pfx).",
                        "The key file did not open: wrong password, or not a PKCS#12 (.p12/.pfx) file.")
NO_KEY = Reason("no_key", "Tệp không chứa khoá bí mật và chứng thư số của người ký.",
                "The file holds no private key and signer certificate.")
MISMATCH = Reason("key_mismatch", "Khoá bí mật không khớp với chứng thư số trong tệp.",
                  "The private key does not match the certificate in the file.")
EXPIRED = Reason("certificate_expired", "Chứng thư số đã hết hạn.", "The certificate has expired.")
NOT_YET = Reason("certificate_not_yet_valid", "Chứng thư số chưa đến ngày có hiệu lực.",
                 "The certificate is not valid yet.")
CA_CERT = Reason("certificate_is_ca", "Đây là chứng thư của tổ chức cấp (CA), không phải của người ký.",
                 "This is a CA certificate, not a signer's.")
NO_SIGNING_USE = Reason("certificate_not_for_signing", "Chứng thư số không được phép dùng để ký văn bản.",
                        "The certificate may not be used to sign documents.")


def may_sign(facts: KeyFacts, now: datetime) -> Reason | None:
    """None if the key may sign certificates now, else the first reason why not (the order is what a person
    would fix first: the password, then the file, then the certificate)."""
    if not facts.opened:
        return WRONG_PASSWORD
    if not (facts.has_key and facts.has_cert):
        return NO_KEY
    if not facts.key_matches_cert:
        return MISMATCH
    if facts.not_after is not None and facts.not_after <= now:
        return EXPIRED
    if facts.not_before is not None and facts.not_before > now:
        return NOT_YET
    if facts.is_ca:
        return CA_CERT
    if not facts.may_sign_documents:
        return NO_SIGNING_USE
    return None
