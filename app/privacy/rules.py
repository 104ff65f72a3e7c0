"""What anonymising a person leaves, and who falls out of the retention period: plain functions."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.i18n import N_

KINDS = {"correction": (N_("Sửa thông tin"), "Correction"), "deletion": (N_("Xoá dữ liệu"), "Deletion")}


def anonymous_name(trainee_id: int) -> str:
    return f"(Đã xoá dữ liệu) #{trainee_id}"


def anonymous_citizen_id(trainee_id: int) -> str:
    """Twelve characters like a citizen ID, but never a valid one (a letter first), unique per person."""
    return f"X{trainee_id:011d}"[:12]


def coarse_birth_date(born: date) -> date:
    """Only the year stays (reports count officials by age group)."""
    return date(born.year, 1, 1)


@dataclass(frozen=True)
class Activity:
    trainee_id: int
    last_course_end: date | None
    record_updated: date
    has_open_enrolment: bool


def past_retention(a: Activity, today: date, years: int) -> bool:
    """True when nothing about the person has moved for `years` years: no course ended, no edit, nothing open."""
    if a.has_open_enrolment:
        return False
    limit = date(today.year - years, today.month, min(today.day, 28))
    latest = max(d for d in (a.last_course_end, a.record_updated) if d is not None)
    return latest < limit
