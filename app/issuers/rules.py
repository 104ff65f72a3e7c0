"""Issuing-body rules as plain functions: the number pattern, when two bodies would print the same numbers, the
seal file, the Việt Nam date of an issue, and the hours a certificate prints. Each refusal is a `Reason`."""
from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_PATTERN = "{n}/{year}/GCN"
CODED_PATTERN = "{n}/{year}/GCN-{code}"
FIELDS = {"n", "year", "code"}
SEAL_MAX_BYTES = 2 * 1024 * 1024
SEAL_MAX_SIDE = 4000  # pixels: a 600 dpi scan of a 6 cm seal is ~1,400; more is a mistake or a decompression bomb
SEAL_MIN_SIDE = 60
SEAL_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


@dataclass(frozen=True)
class Reason:
    """Why a rule refused: a stable code, Vietnamese and English, and the field it is about."""

    code: str
    vi: str
    en: str
    field: str | None = None


# --- numbers -----------------------------------------------------------------------------------------------------


def pattern_problem(pattern: str) -> Reason | None:
    """A pattern must hold {n} once and only the fields {n}, {year} and {code}; None when it is usable."""
    pattern = pattern.strip()
    if not pattern:
        return Reason("pattern_required", "Cần nhập mẫu số giấy chứng nhận, ví dụ {n}/{year}/GCN.",
                      "A number pattern is needed, e.g. {n}/{year}/GCN.", "number_pattern")
    try:
        parsed = list(string.Formatter().parse(pattern))
        names = [name for _, name, _, _ in parsed if name is not None]
        unknown = sorted({n for n in names if n not in FIELDS})
        if unknown:
            return Reason("pattern_field",
                          f"Mẫu số chỉ dùng được {{n}}, {{year}}, {{code}}; không có {{{unknown[0]}}}.",
                          f"The pattern may use {{n}}, {{year}}, {{code}} only, not {{{unknown[0]}}}.",
                          "number_pattern")
        if names.count("n") != 1:
            return Reason("pattern_needs_n", "Mẫu số phải có đúng một {n} (số thứ tự), ví dụ {n}/{year}/GCN.",
                          "The pattern needs exactly one {n} (the running number).", "number_pattern")
        pattern.format(n=1, year=2026, code="X")
    except (ValueError, IndexError, KeyError) as err:
        return Reason("pattern_invalid", f"Mẫu số không hợp lệ ({err}); ví dụ đúng: {{n}}/{{year}}/GCN.",
                      f"The pattern is not valid ({err}).", "number_pattern")
    if len(pattern.format(n=99999, year=2026, code="X" * 30)) > 60:
        return Reason("pattern_too_long", "Số giấy chứng nhận theo mẫu này dài quá 60 ký tự.",
                      "Numbers from this pattern would exceed 60 characters.", "number_pattern")
    return None


def format_number(pattern: str, n: int, year: int, code: str = "") -> str:
    """The printed number from the body's pattern: {n} (or {n:04d}), {year}, {code} (the body's short code)."""
    return pattern.format(n=n, year=year, code=code)


def number_skeleton(pattern: str, code: str) -> str:
    """What the body's numbers look like with the running number and year taken out: two bodies with the same
    skeleton print the same numbers ({n} and {n:04d} meet at 1000, so both are '#')."""
    out = []
    for literal, name, _spec, _conv in string.Formatter().parse(pattern.strip()):
        out.append(literal)
        if name == "n":
            out.append("#")
        elif name == "year":
            out.append("YYYY")
        elif name == "code":
            out.append(code.strip().upper())
    return "".join(out).upper()


@dataclass(frozen=True)
class BodyNumbers:
    id: int | None
    name: str
    skeleton: str


def clash(mine: BodyNumbers, others: Iterable[BodyNumbers]) -> Reason | None:
    """Two bodies in one province never print the same number: their skeletons must differ (former bodies too,
    since their certificates are still in people's hands)."""
    for other in others:
        if other.id != mine.id and other.skeleton == mine.skeleton:
            return Reason("number_clash",
                          f"“{other.name}” đã dùng cùng dạng số ({mine.skeleton.replace('#', 'n')}) trong tỉnh: hai "
                          "cơ quan sẽ in trùng số. Hãy thêm ký hiệu riêng, ví dụ {n}/{year}/GCN-{code} với ký hiệu "
                          "viết tắt của cơ quan.",
                          f"“{other.name}” already numbers certificates the same way in this province; add the "
                          "body's own symbol to the pattern, e.g. {n}/{year}/GCN-{code}.", "number_pattern")
    return None


def initials(name: str, limit: int = 12) -> str:
    """An abbreviation of a body's name as offices write them: "Sở Văn hóa, Thể thao và Du lịch" → "SVHTTDL"."""
    skip = {"va", "cua", "tinh", "thanh", "pho", "xa", "phuong"}
    letters = []
    for word in re.split(r"[\s,.;:/()-]+", name):
        folded = unicodedata.normalize("NFD", word.replace("Đ", "D").replace("đ", "d"))
        folded = "".join(c for c in folded if unicodedata.category(c) != "Mn")
        if folded and folded.lower() not in skip and folded[0].isalnum():
            letters.append(folded[0].upper())
    return "".join(letters)[:limit]


# --- dates and hours ---------------------------------------------------------------------------------------------


def vn_date(moment: datetime) -> date:
    """The date in Việt Nam at an instant: a certificate issued at 23:30 UTC on 31 December is dated 1 January
    (Circular 03/2023/TT-BNV: dates are Việt Nam dates)."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return moment.astimezone(VN).date()


@dataclass(frozen=True)
class Slot:
    start: time
    end: time


def session_hours(slots: Iterable[Slot]) -> float:
    """The hours a course ran: the length of each session, summed, to the quarter hour."""
    total = timedelta()
    for s in slots:
        span = datetime.combine(date.min, s.end) - datetime.combine(date.min, s.start)
        if span > timedelta():
            total += span
    return round(total.total_seconds() / 900) / 4


def course_hours(override: float | None, slots: Iterable[Slot]) -> float:
    """The course's own hours: the organiser's figure when set, otherwise the sum of its sessions. Never the
    curriculum's total, which a course may teach only part of."""
    return float(override) if override is not None else session_hours(slots)


def hours_problem(hours: float) -> Reason | None:
    if hours <= 0:
        return Reason("hours_missing", "Khoá học chưa có buổi học nào và chưa ghi số giờ: hãy thêm lịch học hoặc ghi "
                      "số giờ ở mục Thông tin trước khi cấp giấy chứng nhận.",
                      "The course has no sessions and no hours set.", "hours_override")
    return None


def hours_override_problem(value: float | None) -> Reason | None:
    if value is None:
        return None
    if value != value or not 0 < value <= 2000:
        return Reason("hours_invalid", "Số giờ phải lớn hơn 0 và không quá 2000.",
                      "Hours must be above 0 and at most 2000.", "hours_override")
    return None


# --- the seal ----------------------------------------------------------------------------------------------------


def seal_type(content: bytes) -> str | None:
    """PNG or JPEG from the file's first bytes (never from its name or the browser's word)."""
    for magic, media_type in SEAL_TYPES.items():
        if content.startswith(magic):
            return media_type
    return None


def seal_problem(content: bytes, size: tuple[int, int] | None) -> Reason | None:
    """The seal image: PNG or JPEG, at most 2 MB, between 60 and 4,000 pixels a side."""
    if not content:
        return Reason("seal_empty", "Chưa chọn tệp ảnh con dấu.", "No seal image was sent.", "seal")
    if len(content) > SEAL_MAX_BYTES:
        return Reason("seal_too_large", f"Ảnh con dấu lớn quá {SEAL_MAX_BYTES // 1024 // 1024} MB; hãy quét ở 300 dpi.",
                      "The seal image is larger than 2 MB.", "seal")
    if seal_type(content) is None:
        return Reason("seal_type", "Ảnh con dấu phải là tệp PNG hoặc JPEG.", "The seal must be a PNG or JPEG file.",
                      "seal")
    if size is None:
        return Reason("seal_unreadable", "Không đọc được ảnh con dấu (tệp hỏng hoặc không phải ảnh).",
                      "The seal image cannot be read.", "seal")
    if max(size) > SEAL_MAX_SIDE or min(size) < SEAL_MIN_SIDE:
        return Reason("seal_size", f"Ảnh con dấu phải từ {SEAL_MIN_SIDE} đến {SEAL_MAX_SIDE} điểm ảnh mỗi chiều "
                      f"(ảnh này {size[0]}×{size[1]}).", "The seal image has an unusable size.", "seal")
    return None
