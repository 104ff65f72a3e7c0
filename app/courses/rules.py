"""Pure course rules: the readable course code, the life cycle, checks of sessions, coverage and conflicts.

Plain functions over plain values, no database and no web framework (an import-linter contract checks it). What is
wrong is data (``Problem``, ``Conflict``: a stable code and a text in Vietnamese, which is authoritative, and English)
written for the commune official who has to fix it.

- ``course_code`` / ``next_sequence``: CT2-2026-24-001.
- ``Status``, ``TRANSITIONS``, ``transition_problems(course, target, today, conflicts, reason)``: the life cycle
  draft → open → running → finished → closed, and cancelled, with every precondition that is not met.
- ``session_times``, ``session_problems``, ``coverage_problems``: one session, and every required module taught.
- ``Slot``, ``Conflict``, ``find_conflicts(slots)``: a lecturer or a room booked twice at once, across all courses.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from types import MappingProxyType

from app.core.text import fold

__all__ = [
    "CODE_RE",
    "DEFAULT_TIMES",
    "FORM_LABELS",
    "PART_OF_DAY_LABELS",
    "STATUS_LABELS",
    "TRANSITIONS",
    "Conflict",
    "CourseFacts",
    "Form",
    "ModuleFacts",
    "PartOfDay",
    "Problem",
    "SessionFacts",
    "Slot",
    "Status",
    "allowed_targets",
    "course_code",
    "coverage_problems",
    "find_conflicts",
    "next_sequence",
    "session_problems",
    "session_times",
    "transition_problems",
]

CODE_RE = re.compile(r"^(?P<curriculum>[A-Z0-9]+)-(?P<year>[0-9]{4})-(?P<unit>[0-9]+)-(?P<seq>[0-9]{3,})$")


def course_code(curriculum_code: str, year: int, province_code: str, sequence: int) -> str:
    """CT2-2026-24-001: curriculum, year, province of the organising unit, sequence within those three."""
    return f"{curriculum_code}-{year}-{province_code}-{sequence:03d}"


def next_sequence(existing_codes: list[str], curriculum_code: str, year: int, province_code: str) -> int:
    prefix = f"{curriculum_code}-{year}-{province_code}-"
    used = [int(m.group("seq")) for c in existing_codes if c.startswith(prefix) and (m := CODE_RE.match(c))]
    return max(used, default=0) + 1


# --------------------------------------------------------------------------------------------------------------------
# Life cycle
# --------------------------------------------------------------------------------------------------------------------


class Status(StrEnum):
    """Where a course is in its life: the value is what the database stores."""

    DRAFT = "draft"
    OPEN = "open"  # open for registration
    RUNNING = "running"
    FINISHED = "finished"
    CLOSED = "closed"
    CANCELLED = "cancelled"


HELD: frozenset[Status] = frozenset({Status.RUNNING, Status.FINISHED, Status.CLOSED})
"""A course counts as held once it has started; drafts, open (not started) and cancelled courses do not."""

ENDED: frozenset[Status] = frozenset({Status.FINISHED, Status.CLOSED})
"""A course whose results are final: certificates are issued and the result papers drawn up."""


STATUS_LABELS: dict[str, tuple[str, str]] = {
    Status.DRAFT.value: ("Nháp", "Draft"),
    Status.OPEN.value: ("Đang mở đăng ký", "Open for registration"),
    Status.RUNNING.value: ("Đang diễn ra", "Running"),
    Status.FINISHED.value: ("Đã kết thúc", "Finished"),
    Status.CLOSED.value: ("Đã đóng", "Closed"),
    Status.CANCELLED.value: ("Đã huỷ", "Cancelled"),
}

TRANSITIONS: Mapping[Status, frozenset[Status]] = MappingProxyType({
    Status.DRAFT: frozenset({Status.OPEN, Status.CANCELLED}),
    Status.OPEN: frozenset({Status.DRAFT, Status.RUNNING, Status.CANCELLED}),
    Status.RUNNING: frozenset({Status.FINISHED, Status.CANCELLED}),
    Status.FINISHED: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
    Status.CANCELLED: frozenset(),
})

_STATUS_ORDER = tuple(Status)


def allowed_targets(status: str) -> list[Status]:
    """The statuses a course in ``status`` may move to, in life-cycle order (for the buttons of a course page)."""
    try:
        current = Status(status)
    except ValueError:
        return []
    return [s for s in _STATUS_ORDER if s in TRANSITIONS[current]]


@dataclass(frozen=True)
class Problem:
    """Something that is wrong or missing: a stable machine-readable ``code`` and the explanation in Vietnamese
    (authoritative) and English, written for the commune official who has to fix it."""

    code: str
    vi: str
    en: str


# --------------------------------------------------------------------------------------------------------------------
# Form, times of day, facts
# --------------------------------------------------------------------------------------------------------------------


class Form(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"  # a hall plus video points in the communes


FORM_LABELS: dict[str, tuple[str, str]] = {
    Form.IN_PERSON.value: ("Trực tiếp", "In person"),
    Form.ONLINE.value: ("Trực tuyến", "Online"),
    Form.HYBRID.value: ("Kết hợp (hội trường và các điểm cầu)", "Hybrid (a hall and video points)"),
}


class PartOfDay(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    CUSTOM = "custom"  # exact times typed in


PART_OF_DAY_LABELS: dict[str, tuple[str, str]] = {
    PartOfDay.MORNING.value: ("Buổi sáng", "Morning"),
    PartOfDay.AFTERNOON.value: ("Buổi chiều", "Afternoon"),
    PartOfDay.EVENING.value: ("Buổi tối", "Evening"),
    PartOfDay.CUSTOM.value: ("Giờ cụ thể", "Exact times"),
}

DEFAULT_TIMES: Mapping[PartOfDay, tuple[time, time]] = MappingProxyType({
    PartOfDay.MORNING: (time(7, 30), time(11, 30)),
    PartOfDay.AFTERNOON: (time(13, 30), time(17, 0)),
    PartOfDay.EVENING: (time(18, 30), time(21, 0)),
})


def session_times(part: str, start: time | None, end: time | None) -> tuple[time, time]:
    """The start and end of a session: the usual hours of a morning, afternoon or evening, or the exact times given.

    For a named part of the day any times given are ignored (so that switching a session from morning to afternoon
    cannot keep the morning's hours). ``custom`` needs both times. Raises ``ValueError`` with a Vietnamese message
    that can be shown as is; whether the end is after the start is left to ``session_problems``.
    """
    try:
        which = PartOfDay(part)
    except ValueError:
        raise ValueError(f"Buổi “{part}” không hợp lệ: chọn sáng, chiều, tối hoặc nhập giờ cụ thể.") from None
    if which is PartOfDay.CUSTOM:
        if start is None or end is None:
            raise ValueError("Cần nhập cả giờ bắt đầu và giờ kết thúc của buổi học.")
        return start, end
    return DEFAULT_TIMES[which]


@dataclass(frozen=True)
class ModuleFacts:
    """A module of the course; ``position`` is the number trainees see ("chuyên đề 3")."""

    code: str
    title: str
    required: bool
    position: int


@dataclass(frozen=True)
class SessionFacts:
    id: int | None
    on: date
    start: time
    end: time
    module_codes: frozenset[str]
    lecturer_id: int | None
    lecturer_name: str | None
    room: str | None
    online_link: str | None


@dataclass(frozen=True)
class CourseFacts:
    """What the rules need to know about a course. ``form`` is a ``Form`` value, ``status`` a ``Status`` value;
    ``place_count`` is the number of places (province, communes) whose officials may enrol."""

    status: str
    form: str
    start_date: date | None
    end_date: date | None
    capacity: int | None
    registration_opens: date | None
    registration_closes: date | None
    venue: str | None
    place_count: int
    modules: tuple[ModuleFacts, ...]
    sessions: tuple[SessionFacts, ...]
    min_attendance_share: float


def _d(on: date) -> str:
    return on.strftime("%d/%m/%Y")


def _t(at: time) -> str:
    return at.strftime("%H:%M")


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def _status_label(status: str, lang: int = 0) -> str:
    return STATUS_LABELS.get(status, (status, status))[lang]


# --------------------------------------------------------------------------------------------------------------------
# Sessions and coverage
# --------------------------------------------------------------------------------------------------------------------


def _period(start: date | None, end: date | None) -> tuple[str, str]:
    if start and end:
        return f"{_d(start)}–{_d(end)}", f"{_d(start)}–{_d(end)}"
    if start:
        return f"từ {_d(start)}", f"from {_d(start)}"
    return f"đến {_d(end)}", f"until {_d(end)}"


def session_problems(course: CourseFacts, s: SessionFacts) -> list[Problem]:
    """What is wrong with one session of the course.

    An in-person session needs a room or the course's venue, an online one a joining link, a hybrid one both (the
    hall and the link for the video points). The date is only checked against the course dates that are set.
    """
    out: list[Problem] = []
    if s.end <= s.start:
        out.append(Problem(
            "session_times_invalid",
            f"Giờ kết thúc phải sau giờ bắt đầu (buổi học đang ghi {_t(s.start)}–{_t(s.end)})",
            f"The end time must be after the start time (the session says {_t(s.start)}–{_t(s.end)})"))
    first, last = course.start_date, course.end_date
    before = first is not None and s.on < first
    after = last is not None and s.on > last
    if (before or after) and not (first and last and first > last):  # reversed dates are reported on their own
        vi, en = _period(course.start_date, course.end_date)
        out.append(Problem(
            "session_outside_course",
            f"Buổi học ngày {_d(s.on)} nằm ngoài thời gian khoá học ({vi})",
            f"The session on {_d(s.on)} is outside the course dates ({en})"))
    if not s.module_codes:
        out.append(Problem("session_no_module", "Buổi học chưa gắn với chuyên đề nào",
                           "The session does not say which module it teaches"))
    known = {m.code for m in course.modules}
    for code in sorted(s.module_codes - known):
        out.append(Problem("session_module_unknown", f"Chuyên đề “{code}” không thuộc chương trình của khoá học này",
                           f"Module “{code}” is not part of this course"))
    if course.form in (Form.IN_PERSON, Form.HYBRID) and _blank(s.room) and _blank(course.venue):
        out.append(Problem("session_no_room", "Buổi học trực tiếp chưa có phòng học hay địa điểm",
                           "The in-person session has no room and the course has no venue"))
    if course.form in (Form.ONLINE, Form.HYBRID) and _blank(s.online_link):
        out.append(Problem("session_no_link", "Buổi học trực tuyến chưa có đường dẫn để tham gia",
                           "The online session has no joining link"))
    return out


def coverage_problems(course: CourseFacts) -> list[Problem]:
    """Every required module that no session of the course teaches, in module order."""
    taught: set[str] = set()
    for s in course.sessions:
        taught |= s.module_codes
    # Numbered as the course page lists them; the code (M2, DP1…) is added when it differs from the number.
    def label(m: ModuleFacts) -> str:
        return f"{m.position}" if m.code == str(m.position) else f"{m.position} ({m.code})"

    return [Problem("module_not_covered", f"Chưa có buổi học nào cho chuyên đề {label(m)}: {m.title}",
                    f"No session teaches module {label(m)}: {m.title}")
            for m in sorted(course.modules, key=lambda m: (m.position, m.code))
            if m.required and m.code not in taught]


# --------------------------------------------------------------------------------------------------------------------
# Transitions
# --------------------------------------------------------------------------------------------------------------------


def _in_session(s: SessionFacts, p: Problem) -> Problem:
    """A session's problem, said so that it makes sense in a list about the whole course."""
    if p.code == "session_outside_course":
        return p
    label = f"Buổi học ngày {_d(s.on)} ({_t(s.start)}–{_t(s.end)})"
    label_en = f"Session on {_d(s.on)} ({_t(s.start)}–{_t(s.end)})"
    return Problem(p.code, f"{label}: {p.vi[:1].lower()}{p.vi[1:]}", f"{label_en}: {p.en[:1].lower()}{p.en[1:]}")


def _open_problems(course: CourseFacts, conflicts: Sequence[Conflict]) -> list[Problem]:
    out: list[Problem] = []
    start, end = course.start_date, course.end_date
    if start is None:
        out.append(Problem("start_date_missing", "Chưa nhập ngày bắt đầu khoá học", "The course has no start date"))
    if end is None:
        out.append(Problem("end_date_missing", "Chưa nhập ngày kết thúc khoá học", "The course has no end date"))
    if start and end and start > end:
        out.append(Problem("dates_order",
                           f"Ngày kết thúc ({_d(end)}) không được trước ngày bắt đầu ({_d(start)})",
                           f"The end date ({_d(end)}) is before the start date ({_d(start)})"))
    if course.capacity is None or course.capacity <= 0:
        out.append(Problem("capacity_missing", "Chưa nhập số học viên tối đa (số chỗ) của khoá học",
                           "The course has no capacity (the most trainees it can take)"))
    opens, closes = course.registration_opens, course.registration_closes
    if opens is None or closes is None:
        out.append(Problem("registration_window_missing", "Chưa nhập đủ ngày mở và ngày đóng đăng ký",
                           "The registration window needs both an opening and a closing date"))
    if opens and closes and opens > closes:
        out.append(Problem("registration_window_order",
                           f"Ngày đóng đăng ký ({_d(closes)}) không được trước ngày mở đăng ký ({_d(opens)})",
                           f"Registration closes ({_d(closes)}) before it opens ({_d(opens)})"))
    if closes and start and closes > start:
        out.append(Problem(
            "registration_closes_after_start",
            f"Ngày đóng đăng ký ({_d(closes)}) phải trước hoặc trùng ngày khoá học bắt đầu ({_d(start)})",
            f"Registration must close ({_d(closes)}) on or before the start of the course ({_d(start)})"))
    if course.form in (Form.IN_PERSON, Form.HYBRID) and _blank(course.venue):
        out.append(Problem("venue_missing", "Chưa nhập địa điểm tổ chức (hội trường) của khoá học",
                           "The course has no venue"))
    if course.form not in set(Form):
        out.append(Problem("form_invalid", f"Hình thức tổ chức “{course.form}” không hợp lệ",
                           f"“{course.form}” is not a known form of course"))
    if course.place_count < 1:
        out.append(Problem("places_missing", "Chưa chọn địa bàn (tỉnh, xã) có cán bộ được đăng ký học",
                           "No place (province, communes) is chosen whose officials may enrol"))
    if not 0 < course.min_attendance_share <= 1:
        out.append(Problem("completion_rule_invalid", "Tỷ lệ tham dự tối thiểu để hoàn thành phải từ trên 0% đến 100%",
                           "The minimum attendance share must be above 0% and at most 100%"))
    if not course.sessions:
        out.append(Problem("sessions_missing", "Khoá học chưa có buổi học nào", "The course has no sessions yet"))
    for s in sorted(course.sessions, key=lambda s: (s.on, s.start, s.end, s.id or 0)):
        out.extend(_in_session(s, p) for p in session_problems(course, s))
    out.extend(coverage_problems(course))
    mine = {s.id for s in course.sessions if s.id is not None}
    out.extend(Problem(f"{c.kind}_conflict", c.vi, c.en) for c in conflicts
               if c.a.session_id in mine or c.b.session_id in mine)
    return out


def transition_problems(course: CourseFacts, target: str, today: date, conflicts: Sequence[Conflict] = (),
                        reason: str | None = None) -> list[Problem]:
    """Everything that stops the course from moving to ``target`` today; an empty list means it may.

    All problems are returned at once, so that the user can fix them in one go. ``conflicts`` are the lecturer and
    room clashes found across all courses (``find_conflicts``); those touching this course's sessions block opening.
    """
    try:
        current = Status(course.status)
    except ValueError:
        return [Problem("status_unknown", f"Trạng thái hiện tại “{course.status}” của khoá học không hợp lệ",
                        f"The course's current status “{course.status}” is unknown")]
    try:
        wanted = Status(target)
    except ValueError:
        return [Problem("status_unknown", f"Không có trạng thái “{target}”", f"There is no status “{target}”")]
    if wanted not in TRANSITIONS[current]:
        options = allowed_targets(current)
        vi = f"Không thể chuyển khoá học từ “{_status_label(current)}” sang “{_status_label(wanted)}”"
        en = f"A course cannot go from “{_status_label(current, 1)}” to “{_status_label(wanted, 1)}”"
        if options:
            vi += "; chỉ có thể chuyển sang " + ", ".join(f"“{_status_label(s)}”" for s in options)
            en += "; it can only go to " + ", ".join(f"“{_status_label(s, 1)}”" for s in options)
        else:
            vi += f"; khoá học “{_status_label(current)}” không thể chuyển sang trạng thái nào khác"
            en += f"; a “{_status_label(current, 1)}” course cannot change any more"
        return [Problem("transition_not_allowed", vi, en)]

    if wanted is Status.OPEN:
        return _open_problems(course, conflicts)
    if wanted is Status.RUNNING:
        if course.start_date is None:
            return [Problem("start_date_missing", "Chưa nhập ngày bắt đầu khoá học", "The course has no start date")]
        if today < course.start_date:
            return [Problem("too_early_to_start",
                            f"Khoá học bắt đầu ngày {_d(course.start_date)}; chưa thể chuyển sang Đang diễn ra",
                            f"The course starts on {_d(course.start_date)}; it cannot be marked as running yet")]
    if wanted is Status.FINISHED:
        if course.end_date is None:
            return [Problem("end_date_missing", "Chưa nhập ngày kết thúc khoá học", "The course has no end date")]
        if today < course.end_date:
            return [Problem("too_early_to_finish",
                            f"Khoá học kết thúc ngày {_d(course.end_date)}; chưa thể chuyển sang Đã kết thúc",
                            f"The course ends on {_d(course.end_date)}; it cannot be marked as finished yet")]
    if wanted is Status.CANCELLED and _blank(reason):
        return [Problem("cancel_reason_missing", "Cần ghi lý do huỷ khoá học",
                        "Please write why the course is cancelled")]
    return []


# --------------------------------------------------------------------------------------------------------------------
# Conflicts across courses
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One session as the conflict check sees it; ``venue`` is the course's venue."""

    session_id: int
    course_id: int
    course_code: str
    on: date
    start: time
    end: time
    lecturer_id: int | None
    lecturer_name: str | None
    venue: str | None
    room: str | None


@dataclass(frozen=True)
class Conflict:
    """Two sessions on the same day whose times overlap and that need the same lecturer (``kind`` "lecturer") or the
    same room of the same venue (``kind`` "room"); ``a`` is the one that starts first."""

    kind: str
    a: Slot
    b: Slot
    vi: str
    en: str


def _slot_key(s: Slot) -> tuple:
    return (s.on, s.start, s.end, s.course_code, s.session_id)


def _overlapping_pairs(group: list[Slot]) -> Iterator[tuple[Slot, Slot]]:
    """Pairs of slots whose times overlap (a session ending at 11:30 and one starting at 11:30 do not), by a sweep
    over the slots sorted by start: O(n log n + pairs found)."""
    active: list[Slot] = []
    for s in sorted(group, key=_slot_key):
        active = [x for x in active if x.end > s.start]
        for x in active:
            if x.session_id != s.session_id and s.start < s.end:
                yield x, s
        if s.start < s.end:
            active.append(s)


def _other(a: Slot, b: Slot) -> tuple[str, str]:
    times = f"{_t(b.start)}–{_t(b.end)}"
    if a.course_code == b.course_code:
        return f"một buổi học khác cùng khoá {times}", f"another session of the same course {times}"
    return f"buổi học khoá {b.course_code} {times}", f"a session of course {b.course_code} {times}"


def _lecturer_conflict(a: Slot, b: Slot) -> Conflict:
    name = a.lecturer_name or b.lecturer_name or f"mã số {a.lecturer_id}"
    name_en = a.lecturer_name or b.lecturer_name or f"number {a.lecturer_id}"
    other_vi, other_en = _other(a, b)
    when = f"{_d(a.on)} {_t(a.start)}–{_t(a.end)}"
    return Conflict("lecturer", a, b,
                    f"Giảng viên {name} đã có buổi dạy khoá {a.course_code} ngày {when} trùng giờ với {other_vi}",
                    f"Lecturer {name_en} already teaches course {a.course_code} on {when}, at the same time as "
                    f"{other_en}")


def _room_conflict(a: Slot, b: Slot) -> Conflict:
    other_vi, other_en = _other(a, b)
    when = f"{_d(a.on)} {_t(a.start)}–{_t(a.end)}"
    room = (a.room or "").strip()
    venue = (a.venue or "").strip()
    return Conflict("room", a, b,
                    f"Phòng “{room}” tại {venue} đã có buổi học khoá {a.course_code} ngày {when} trùng giờ với "
                    f"{other_vi}",
                    f"Room “{room}” at {venue} is already used by course {a.course_code} on {when}, at the same time "
                    f"as {other_en}")


def find_conflicts(slots: Sequence[Slot]) -> list[Conflict]:
    """Lecturers and rooms booked twice at once.

    Slots are grouped by (date, lecturer) and by (date, venue, room), venue and room compared without accents, case
    or extra spaces; only slots of the same group are compared, by a sweep over start times. A slot without a room
    or without a venue is never in a room conflict, and a session that does not end after it starts overlaps
    nothing. Each pair is reported once per kind (a lecturer and a room clash of the same two sessions are two
    conflicts), sorted by the first session (date, times, course code, id), then the second, then the kind.
    """
    by_lecturer: dict[tuple[date, int], list[Slot]] = defaultdict(list)
    by_room: dict[tuple[date, str, str], list[Slot]] = defaultdict(list)
    for s in slots:
        if s.lecturer_id is not None:
            by_lecturer[(s.on, s.lecturer_id)].append(s)
        room, venue = fold(s.room or ""), fold(s.venue or "")
        if room and venue:
            by_room[(s.on, venue, room)].append(s)
    found: dict[tuple[str, int, int], Conflict] = {}
    for kind, groups, make in (("lecturer", by_lecturer, _lecturer_conflict), ("room", by_room, _room_conflict)):
        for group in groups.values():
            if len(group) < 2:
                continue
            for a, b in _overlapping_pairs(group):
                key = (kind, *sorted((a.session_id, b.session_id)))
                if key not in found:
                    found[key] = make(a, b)
    return sorted(found.values(), key=lambda c: (_slot_key(c.a), _slot_key(c.b), c.kind))
