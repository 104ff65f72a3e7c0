"""Completion by the course's own rule, as plain functions (no web framework, no database)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Mark(StrEnum):
    PRESENT = "present"
    LATE = "late"
    EXCUSED = "excused"
    ABSENT = "absent"


MARK_LABELS: Mapping[str, tuple[str, str]] = {
    Mark.PRESENT: ("Có mặt", "Present"), Mark.LATE: ("Đi muộn", "Late"),
    Mark.EXCUSED: ("Vắng có phép", "Excused"), Mark.ABSENT: ("Vắng", "Absent"),
}


@dataclass(frozen=True)
class CompletionRule:
    min_attendance_share: float
    late_counts_as_present: bool = True
    excused_counts: bool = False
    assessment_required: bool = False


@dataclass(frozen=True)
class Completion:
    completed: bool
    attended: int
    sessions: int
    share: float
    reason_vi: str
    reason_en: str


def completion(rule: CompletionRule, marks: Mapping[int, str], session_ids: list[int],
               assessment_passed: bool | None = None) -> Completion:
    """Whether a person completed: the share of the course's sessions attended against the course's minimum.

    A session without a mark counts as not attended. Late counts as present and an excused absence counts as
    attended only when the course's rule says so.
    """
    counted = {Mark.PRESENT} | ({Mark.LATE} if rule.late_counts_as_present else set()) | (
        {Mark.EXCUSED} if rule.excused_counts else set())
    total = len(session_ids)
    attended = sum(1 for s in session_ids if marks.get(s) in counted)
    share = attended / total if total else 0.0
    needed = rule.min_attendance_share
    if total == 0:
        return Completion(False, 0, 0, 0.0, "Khoá học chưa có buổi học nào", "The course has no sessions")
    if share + 1e-9 < needed:
        return Completion(False, attended, total, share,
                          f"Tham dự {attended}/{total} buổi ({share:.0%}), cần tối thiểu {needed:.0%}",
                          f"Attended {attended}/{total} sessions ({share:.0%}); at least {needed:.0%} needed")
    if rule.assessment_required and not assessment_passed:
        return Completion(False, attended, total, share, "Chưa đạt bài kiểm tra cuối khoá",
                          "The final assessment has not been passed")
    return Completion(True, attended, total, share, f"Tham dự {attended}/{total} buổi ({share:.0%})",
                      f"Attended {attended}/{total} sessions ({share:.0%})")
