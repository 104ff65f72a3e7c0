"""Completion by the course's own rule, and self check-in with a rotating code, as plain functions (no web
framework, no database; time is an argument, so tests control the clock)."""
from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from app.core.text import is_digits
from app.i18n import N_


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
               assessment_passed: bool | None = None,
               assessment_reason: tuple[str, str] | None = None) -> Completion:
    """Whether a person completed: the share of the course's sessions attended against the course's minimum.

    A session without a mark counts as not attended. Late counts as present and an excused absence counts as
    attended only when the course's rule says so. When the course requires its final test, `assessment_reason`
    (Vietnamese, English) says why it is not passed, e.g. the post-test score against the required one.
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
        vi, en = assessment_reason or ("Chưa đạt bài kiểm tra cuối khoá", "The final assessment has not been passed")
        return Completion(False, attended, total, share, vi, en)
    return Completion(True, attended, total, share, f"Tham dự {attended}/{total} buổi ({share:.0%})",
                      f"Attended {attended}/{total} sessions ({share:.0%})")


# --- self check-in with a rotating code -------------------------------------------------------------------------
#
# The trainer's screen shows a QR code holding `{session}.{step}.{mac}`: `step` is the current period of
# CODE_PERIOD seconds since the epoch and `mac` an HMAC of both under the server's secret, so a code cannot be made
# up, names its own session, and stops working CODE_GRACE_STEPS periods later (a photo sent to someone at home is
# stale before it arrives). Nothing is stored per code: any app process can check any code.

CODE_PERIOD = 15  # seconds a code is shown before the next one
CODE_GRACE_STEPS = 2  # a scanned code is accepted this many periods after its own (time to tap "confirm")
OPENS_BEFORE_MINUTES = 30  # check-in opens this long before a session starts, and closes when it ends
# A scan is judged at the moment of the scan, not when the person finally taps "confirm": the server signs the
# moment into a token kept on the phone that scanned (a cookie), so signing in first (typing a password, a forgotten
# one) does not outlast the code. The token is honoured this long after the scan, and only with the same code.
SCAN_KEEPS_MINUTES = 15


class CheckInRefusal(StrEnum):
    CODE_INVALID = "code_invalid"
    CODE_EXPIRED = "code_expired"
    OTHER_SESSION = "code_other_session"
    NOT_OPEN_YET = "session_not_open"
    CLOSED = "session_closed"
    NOT_CONFIRMED = "not_confirmed"


REFUSAL_TEXT: Mapping[str, str] = {
    CheckInRefusal.CODE_INVALID: N_("Mã QR không hợp lệ. Hãy quét lại mã trên màn hình của giảng viên."),
    CheckInRefusal.CODE_EXPIRED: N_("Mã QR đã hết hạn (mã đổi sau mỗi vài giây). Hãy quét lại mã đang hiện trên "
                                    "màn hình trong hội trường."),
    CheckInRefusal.OTHER_SESSION: N_("Mã QR này của một buổi học khác."),
    CheckInRefusal.NOT_OPEN_YET: N_("Chưa đến giờ điểm danh buổi này."),
    CheckInRefusal.CLOSED: N_("Buổi học đã kết thúc; không điểm danh được nữa."),
    CheckInRefusal.NOT_CONFIRMED: N_("Bạn chưa được xác nhận tham gia khoá học này, nên không điểm danh "
                                     "được."),
}


def code_step(now_epoch: float) -> int:
    return int(now_epoch // CODE_PERIOD)


def _mac(secret: bytes, session_id: int, step: int) -> str:
    digest = hmac.new(secret, f"checkin:{session_id}:{step}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode().rstrip("=")


def make_code(secret: bytes, session_id: int, now_epoch: float) -> str:
    step = code_step(now_epoch)
    return f"{session_id}.{step}.{_mac(secret, session_id, step)}"


def read_code(secret: bytes, code: str, session_id: int, now_epoch: float) -> CheckInRefusal | None:
    """None when `code` is a genuine, fresh code for `session_id`; otherwise why not."""
    parts = code.strip().split(".")
    if len(parts) != 3 or not is_digits(parts[0]) or not is_digits(parts[1]) or len(parts[0]) > 12 \
            or len(parts[1]) > 12:
        return CheckInRefusal.CODE_INVALID
    code_session, step = int(parts[0]), int(parts[1])
    if not hmac.compare_digest(parts[2], _mac(secret, code_session, step)):
        return CheckInRefusal.CODE_INVALID
    if code_session != session_id:
        return CheckInRefusal.OTHER_SESSION
    now_step = code_step(now_epoch)
    if step > now_step + 1 or now_step - step > CODE_GRACE_STEPS:  # +1: clocks of two servers may differ a little
        return CheckInRefusal.CODE_EXPIRED
    return None


def judged_at(now: datetime, scanned_at: datetime | None) -> datetime:
    """The moment a check-in is judged at: the scan's, when the server vouched for it within SCAN_KEEPS_MINUTES;
    otherwise now. A moment in the future (a clock gone back) is not trusted either."""
    if scanned_at is None or scanned_at > now + timedelta(seconds=CODE_PERIOD) \
            or now - scanned_at > timedelta(minutes=SCAN_KEEPS_MINUTES):
        return now
    return scanned_at


@dataclass(frozen=True)
class CheckInWindow:
    starts: datetime  # aware datetimes
    ends: datetime
    late_after_minutes: int

    @property
    def opens(self) -> datetime:
        return self.starts - timedelta(minutes=OPENS_BEFORE_MINUTES)


def check_in_status(window: CheckInWindow, now: datetime, confirmed: bool) -> Mark | CheckInRefusal:
    """The mark a genuine scan earns now (present, or late past the course's minute), or why it earns none."""
    if now < window.opens:
        return CheckInRefusal.NOT_OPEN_YET
    if now > window.ends:
        return CheckInRefusal.CLOSED
    if not confirmed:
        return CheckInRefusal.NOT_CONFIRMED
    if now > window.starts + timedelta(minutes=window.late_after_minutes):
        return Mark.LATE
    return Mark.PRESENT
