"""Certificate rules as plain functions: who may get one, the number's pattern, the verification code."""
from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from app.courses.rules import ENDED
from app.enrolment.rules import EnrolmentStatus

CODE_BYTES = 13  # 104 random bits, at least the 80 the programme asks for
DEFAULT_PATTERN = "{n}/{year}/GCN"


def new_code() -> str:
    """A verification code: 104 random bits in base32 without padding (21 characters, no 0/1/8/9 confusion)."""
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode().rstrip("=")


def looks_like_code(text: str) -> bool:
    return 16 <= len(text) <= 40 and all(c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for c in text)


def format_number(pattern: str, n: int, year: int, unit_code: str = "") -> str:
    """The printed number from the issuer's pattern: {n} (optionally {n:05d}), {year}, {unit}."""
    try:
        return pattern.format(n=n, year=year, unit=unit_code)
    except (KeyError, IndexError, ValueError) as err:
        raise ValueError(f"Mẫu số giấy chứng nhận không hợp lệ: {pattern!r} ({err}); dùng {{n}}, {{year}}, "
                         "{unit}.") from err


@dataclass(frozen=True)
class Candidate:
    enrolment_id: int
    status: str
    has_valid_certificate: bool


def may_issue(c: Candidate) -> str | None:
    """None when a certificate can be issued now; otherwise why not, in Vietnamese."""
    if c.has_valid_certificate:
        return "Đã có giấy chứng nhận còn hiệu lực."
    if c.status != EnrolmentStatus.COMPLETED:
        return "Chỉ cấp cho người đã hoàn thành khoá học (hãy chốt kết quả hoàn thành trước)."
    return None


def course_ready(status: str) -> str | None:
    """Certificates are issued once a course has ended (finished or closed); otherwise why not."""
    if status in ENDED:
        return None
    return "Chỉ cấp giấy chứng nhận khi khoá học đã kết thúc (trạng thái Đã kết thúc hoặc Đã đóng)."


# Why a certificate was revoked, as the public verify page says it: a category chosen from this list, plus optional
# text written for the public. The reason typed for colleagues stays an internal note (it may name a person's data).
REVOKE_CATEGORIES: dict[str, tuple[str, str]] = {
    "data_error": ("Thông tin trên giấy chứng nhận có sai sót", "The certificate contains an error"),
    "issued_in_error": ("Cấp nhầm", "Issued in error"),
    "result_reviewed": ("Kết quả học tập đã được xem xét lại", "The training result was reviewed"),
    "decision": ("Thu hồi theo quyết định của cơ quan cấp", "Revoked by a decision of the issuing body"),
    "other": ("Lý do khác", "Other reason"),
}
PUBLIC_NOTE_MAX = 300


def public_revoke_reason(category: str | None, public_note: str | None) -> str:
    """What the public sees: the category's label, then the public text when there is one."""
    label = REVOKE_CATEGORIES.get(category or "other", REVOKE_CATEGORIES["other"])[0]
    return f"{label}: {public_note}" if public_note else label
