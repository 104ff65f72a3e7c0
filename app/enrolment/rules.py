"""Pure enrolment rules: who may register for a course, in which order registrants are served, who gets a seat.

Plain functions over plain values, no database and no web framework (an import-linter contract checks it), so that
the registration endpoint, the organiser's allocation, the pages and the tests apply the same rules. Every decision
carries its reasons as data (``Reason`` from ``app.people.rules``: a code, the Vietnamese text that is authoritative,
an English text), so that a trainee always knows their status and why.

- ``EnrolmentStatus``, ``STATUS_LABELS``, ``ACTIVE``, ``ENROLMENT_TRANSITIONS``, ``may_change(old, new)``.
- ``AllocationMode``: ``first_come`` (confirm while seats remain, then a waitlist ordered by priority) or ``review``
  (everyone pending until the organiser runs ``allocate`` at the close of registration).
- ``CourseWindow``, ``Applicant``: what the rules need to know about a course and a registrant.
- ``eligibility(course, applicant, today)``: every refusal at once, or the person's priority reasons.
- ``retraining_setting``, ``retraining_refusal``, ``overridable``: the course's retraining option (default: people
  may be trained again) and the one refusal an organiser may override with a written reason.
- ``rank(course, applicants, tie_breakers)``: priority (rank, commune sub-rank), the course's tie-breakers,
  registration time, trainee id.
- ``decide_first_come``, ``allocate``: who gets a seat and who waits.
- ``Waiting``, ``WAITLIST_KEY``, ``waitlist_order``, ``promote``: the waitlist's one order (the database numbers it by
  the same fields when it is read: positions are never stored and shifted) and who moves up when seats come free.

Seats reserved for a commune (``CourseWindow.quotas``, commune unit id -> seats): until registration closes (or the
allocation runs), a reserved seat that the commune has not filled is held for that commune's best-ranked registrant;
everyone shares the other ``capacity - sum(unfilled reserved seats)`` seats. ``Applicant.unit_id`` is the person's
commune unit, the key of ``quotas``. Reserved seats are always counted within ``capacity``.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from app.courses.rules import STATUS_LABELS as COURSE_STATUS_LABELS
from app.courses.rules import Status as CourseStatus
from app.people.rules import PersonFacts, Priority, Reason, priority

__all__ = [
    "ACTIVE",
    "ENROLMENT_TRANSITIONS",
    "STATUS_LABELS",
    "AllocationMode",
    "Applicant",
    "CourseWindow",
    "Decision",
    "EnrolmentStatus",
    "Ranked",
    "WAITLIST_KEY",
    "TieBreaker",
    "Waiting",
    "allocate",
    "decide_first_come",
    "eligibility",
    "may_change",
    "overridable",
    "promote",
    "promoted_reason",
    "rank",
    "retraining_refusal",
    "retraining_setting",
    "SEATED",
    "WAITING",
    "waitlist_order",
]


# --------------------------------------------------------------------------------------------------------------------
# Statuses
# --------------------------------------------------------------------------------------------------------------------


class EnrolmentStatus(StrEnum):
    """Where one person's enrolment in one course is: the value is what the database stores."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"


STATUS_LABELS: Mapping[str, tuple[str, str]] = MappingProxyType({
    EnrolmentStatus.PENDING.value: ("Chờ duyệt", "Pending"),
    EnrolmentStatus.CONFIRMED.value: ("Đã xác nhận", "Confirmed"),
    EnrolmentStatus.WAITLISTED.value: ("Danh sách chờ", "Waitlisted"),
    EnrolmentStatus.REJECTED.value: ("Không được duyệt", "Rejected"),
    EnrolmentStatus.WITHDRAWN.value: ("Đã rút", "Withdrawn"),
    EnrolmentStatus.COMPLETED.value: ("Hoàn thành", "Completed"),
    EnrolmentStatus.NOT_COMPLETED.value: ("Không hoàn thành", "Not completed"),
})
"""Status -> (Vietnamese label, English label)."""

ACTIVE: frozenset[EnrolmentStatus] = frozenset({
    EnrolmentStatus.PENDING, EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED})
"""Enrolments that hold a seat or may still get one (a person has at most one of these per course)."""

SEATED: frozenset[EnrolmentStatus] = frozenset({
    EnrolmentStatus.CONFIRMED, EnrolmentStatus.COMPLETED, EnrolmentStatus.NOT_COMPLETED})
"""Enrolments that hold or held a seat: the people a course actually took (not the waitlisted, rejected or
withdrawn). They are on the course: they check in, take its tests, read its materials and are counted by reports."""

WAITING: frozenset[EnrolmentStatus] = frozenset({EnrolmentStatus.PENDING, EnrolmentStatus.WAITLISTED})
"""Enrolments that may still get a seat."""

ENROLMENT_TRANSITIONS: Mapping[EnrolmentStatus, frozenset[EnrolmentStatus]] = MappingProxyType({
    EnrolmentStatus.PENDING: frozenset({EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED,
                                        EnrolmentStatus.REJECTED, EnrolmentStatus.WITHDRAWN}),
    EnrolmentStatus.WAITLISTED: frozenset({EnrolmentStatus.CONFIRMED, EnrolmentStatus.REJECTED,
                                           EnrolmentStatus.WITHDRAWN}),
    # Rejecting a confirmed person is an organiser's override (with a recorded reason).
    EnrolmentStatus.CONFIRMED: frozenset({EnrolmentStatus.WITHDRAWN, EnrolmentStatus.REJECTED,
                                          EnrolmentStatus.COMPLETED, EnrolmentStatus.NOT_COMPLETED}),
    # Final: only an organiser's explicit override path (not modelled here) may reopen these.
    EnrolmentStatus.REJECTED: frozenset(),
    EnrolmentStatus.WITHDRAWN: frozenset(),
    EnrolmentStatus.COMPLETED: frozenset(),
    EnrolmentStatus.NOT_COMPLETED: frozenset(),
})


def may_change(old: str, new: str) -> bool:
    """Whether an enrolment may go from ``old`` to ``new`` (unknown statuses and staying put: False)."""
    try:
        current, wanted = EnrolmentStatus(old), EnrolmentStatus(new)
    except ValueError:
        return False
    return wanted in ENROLMENT_TRANSITIONS[current]


class AllocationMode(StrEnum):
    """How a course hands out its seats."""

    FIRST_COME = "first_come"  # confirm while seats remain, then waitlist ordered by priority
    REVIEW = "review"  # everyone pending until the organiser allocates at the close of registration


# --------------------------------------------------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseWindow:
    """What the enrolment rules need to know about a course.

    ``eligible_unit_ids``: every unit inside the course's places (already expanded by the caller).
    ``curriculum_target_groups``: the curriculum's target groups in priority order (from the curriculum data).
    ``quotas``: seats reserved per commune unit id. ``recent_years``: the course's retraining setting (see
    ``retraining_refusal``): 0 (the default) takes people again whenever they last completed the curriculum; N
    refuses someone who completed it less than N years ago.
    """

    course_status: str
    registration_opens: date | None
    registration_closes: date | None
    eligible_unit_ids: frozenset[int]
    curriculum_code: str
    curriculum_target_groups: tuple[str, ...]
    capacity: int
    mode: str
    quotas: Mapping[int, int] = field(default_factory=dict)
    recent_years: int = 0


@dataclass(frozen=True)
class Applicant:
    """A registrant (or a nominee): ``unit_id`` is their commune; ``record_confirmed`` says an organiser confirmed
    the trainee record (it is not a pending self sign-up); ``completed_same_curriculum_on`` is the most recent
    completion of the course's curriculum, or None."""

    trainee_id: int
    unit_id: int
    facts: PersonFacts
    record_confirmed: bool
    registered_at: datetime
    completed_same_curriculum_on: date | None = None


def _d(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February into a year that has none
        return d.replace(year=d.year + years, day=28)


def _priority(course: CourseWindow, a: Applicant, group_names: Mapping[str, Any] | None) -> Priority:
    return priority(a.facts, course.curriculum_code, course.curriculum_target_groups, group_names)


# --------------------------------------------------------------------------------------------------------------------
# Eligibility
# --------------------------------------------------------------------------------------------------------------------


def _status_refusal(status: str) -> Reason | None:
    if status == CourseStatus.OPEN:
        return None
    if status == CourseStatus.DRAFT:
        return Reason("course_not_open", "Khoá học chưa mở đăng ký", "The course is not open for registration yet")
    if status == CourseStatus.CANCELLED:
        return Reason("course_cancelled", "Khoá học đã bị huỷ", "The course has been cancelled")
    vi, en = COURSE_STATUS_LABELS.get(status, (status, status))
    return Reason("course_closed", f"Khoá học đã đóng đăng ký (trạng thái: {vi})",
                  f"Registration for the course is closed (status: {en})")


def eligibility(course: CourseWindow, a: Applicant, today: date,
                group_names: Mapping[str, str] | None = None) -> tuple[bool, list[Reason]]:
    """Whether the person may register for the course today.

    Not eligible: ``(False, refusals)``, every refusal at once, each its own ``Reason`` (course not open, window not
    yet open or already closed, commune outside the course's places, not a target group of the curriculum, record not
    confirmed, same curriculum completed within the course's retraining gap). Eligible: ``(True, the priority
    reasons)`` ("Ưu tiên 1: ...").
    Whether the person already has an enrolment in the course is the caller's to check (a repeated request is
    answered with the existing enrolment). ``group_names`` words the priority reasons (see ``people.rules.priority``).
    """
    refusals: list[Reason] = []
    status = _status_refusal(course.course_status)
    if status is not None:
        refusals.append(status)
    opens, closes = course.registration_opens, course.registration_closes
    if opens is not None and today < opens:
        refusals.append(Reason("registration_not_yet_open", f"Khoá học mở đăng ký từ ngày {_d(opens)}",
                               f"Registration opens on {_d(opens)}"))
    if closes is not None and today > closes:
        refusals.append(Reason("registration_closed", f"Đã hết hạn đăng ký ngày {_d(closes)}",
                               f"Registration closed on {_d(closes)}"))
    if a.unit_id not in course.eligible_unit_ids:
        refusals.append(Reason("outside_places", "Xã/phường của bạn không thuộc địa bàn của khoá học",
                               "Your commune is not among the places this course is for"))
    prio = _priority(course, a, group_names)
    if not prio.eligible:
        refusals.append(prio.reasons[0])
    if not a.record_confirmed:
        refusals.append(Reason("record_not_confirmed", "Hồ sơ của bạn chưa được cán bộ tổ chức xác nhận",
                               "Your trainee record has not been confirmed by an organiser yet"))
    retraining = retraining_refusal(course.curriculum_code, course.recent_years, a.completed_same_curriculum_on, today)
    if retraining is not None:
        refusals.append(retraining)
    if refusals:
        return False, refusals
    return True, list(prio.reasons)


# --------------------------------------------------------------------------------------------------------------------
# Retraining
# --------------------------------------------------------------------------------------------------------------------

OVERRIDABLE: frozenset[str] = frozenset({"completed_recently"})
"""Refusals an organiser may override by nominating the person with a written reason (and only those)."""


def retraining_setting(curriculum_code: str, gap_years: int) -> Reason:
    """What a course says about people who already completed its curriculum, as shown on the course.

    Provinces train the same commune officials again in later years and no rule found limits it (DOMAIN.md), so
    retraining is allowed unless the course sets a gap."""
    if gap_years <= 0:
        return Reason("retraining_allowed",
                      f"Nhận cả người đã hoàn thành chương trình {curriculum_code} trước đây (bồi dưỡng lại)",
                      f"Takes people who completed curriculum {curriculum_code} before (retraining)")
    return Reason("retraining_gap",
                  f"Không nhận người đã hoàn thành chương trình {curriculum_code} trong vòng {gap_years} năm; "
                  "cán bộ tổ chức vẫn có thể cử người đó học lại khi ghi rõ lý do",
                  f"Does not take people who completed curriculum {curriculum_code} in the last {gap_years} years; "
                  "an organiser may still nominate them with a written reason")


def retraining_refusal(curriculum_code: str, gap_years: int, completed_on: date | None,
                       today: date) -> Reason | None:
    """The course's retraining setting applied to one person: why they may not register again yet, or None."""
    if completed_on is None or gap_years <= 0:
        return None
    again = _add_years(completed_on, gap_years)
    if today >= again:
        return None
    return Reason(
        "completed_recently",
        f"Bạn đã hoàn thành chương trình {curriculum_code} ngày {_d(completed_on)} (trong vòng {gap_years} năm); "
        f"khoá học này chỉ nhận lại từ ngày {_d(again)}",
        f"You completed curriculum {curriculum_code} on {_d(completed_on)} (within {gap_years} years); "
        f"this course takes you again from {_d(again)}")


def overridable(refusals: Sequence[Reason]) -> bool:
    """Whether every refusal is one an organiser may override by nominating with a written reason."""
    return bool(refusals) and all(r.code in OVERRIDABLE for r in refusals)


# --------------------------------------------------------------------------------------------------------------------
# Ordering
# --------------------------------------------------------------------------------------------------------------------

TieBreaker = Callable[[Applicant], Any]
"""A course's tie-breaker: applicant -> a sortable value, smaller first (e.g. ``lambda a: a.trained_before``)."""


@dataclass(frozen=True)
class Ranked:
    """An applicant with their priority for the course and the key that orders them (smaller first)."""

    applicant: Applicant
    priority: Priority
    key: tuple


def rank(course: CourseWindow, applicants: Sequence[Applicant], tie_breakers: Sequence[TieBreaker] = (),
         group_names: Mapping[str, Any] | None = None) -> list[Ranked]:
    """Applicants in the order they are served, best first.

    Key: ``priority.sort_key`` (rank in the curriculum's target groups, then the commune categories' sub-rank;
    people the curriculum is not for come last), then each tie-breaker in turn, then ``registered_at``, then
    ``trainee_id`` so that the order is always the same.
    """
    out = []
    for a in applicants:
        prio = _priority(course, a, group_names)
        key = (prio.sort_key, tuple(tb(a) for tb in tie_breakers), a.registered_at, a.trainee_id)
        out.append(Ranked(a, prio, key))
    out.sort(key=lambda r: r.key)
    return out


# --------------------------------------------------------------------------------------------------------------------
# Decisions
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """What happens to one person's enrolment and why; ``waitlist_position`` is 1-based, only for the waitlisted."""

    trainee_id: int
    status: EnrolmentStatus
    waitlist_position: int | None
    reasons: tuple[Reason, ...]


def _not_for_curriculum(r: Ranked) -> Decision:
    return Decision(r.applicant.trainee_id, EnrolmentStatus.REJECTED, None, r.priority.reasons)


def _priority_reason(r: Ranked) -> Reason:
    return r.priority.reasons[0]


def _unfilled_reserved(quotas: Mapping[int, int], confirmed_by_unit: Mapping[int, int]) -> dict[int, int]:
    return {u: q - confirmed_by_unit.get(u, 0) for u, q in quotas.items() if q - confirmed_by_unit.get(u, 0) > 0}


def decide_first_come(course: CourseWindow, ranked_new: Ranked, confirmed_count: int,
                      confirmed_by_unit: Mapping[int, int], *, today: date | None = None) -> Decision:
    """FIRST_COME mode, at the moment someone registers (or is nominated): confirm if a seat is free, else waitlist.

    ``confirmed_count``: people confirmed in the course now; ``confirmed_by_unit``: of those, how many per commune.
    A person whose commune has an unfilled reserved seat takes it; anyone else takes a general seat, of which
    ``capacity - confirmed_count - sum(unfilled reserved seats)`` are free. Reserved seats are held until
    registration closes: pass ``today`` and after ``registration_closes`` they are open to all.

    A waitlisted decision has no position: the position moves as others register or leave, so it is worked out when
    the waitlist is read (``waitlist_order``). Someone the curriculum is not for is REJECTED.
    """
    r = ranked_new
    tid = r.applicant.trainee_id
    if not r.priority.eligible:
        return _not_for_curriculum(r)
    capacity = max(course.capacity, 0)
    lapsed = today is not None and course.registration_closes is not None and today > course.registration_closes
    unfilled = {} if lapsed else _unfilled_reserved(course.quotas, confirmed_by_unit)
    reserved_free = sum(unfilled.values())
    seats_left = capacity - confirmed_count
    general_free = seats_left - reserved_free
    prio = r.priority.reasons
    if seats_left > 0 and unfilled.get(r.applicant.unit_id, 0) > 0:
        mine = unfilled[r.applicant.unit_id]
        why = Reason("confirmed_reserved_seat",
                     f"Được xác nhận vào chỗ dành riêng cho xã/phường của bạn (còn {mine} chỗ dành riêng trước khi "
                     f"bạn đăng ký)",
                     f"Confirmed on a seat reserved for your commune ({mine} reserved seat(s) were left)")
        return Decision(tid, EnrolmentStatus.CONFIRMED, None, (why, *prio))
    if general_free > 0:
        why = Reason("confirmed_seat_free",
                     f"Được xác nhận: khoá học còn chỗ ({general_free}/{capacity} chỗ trống khi bạn đăng ký)",
                     f"Confirmed: the course had seats left ({general_free} of {capacity} free when you registered)")
        return Decision(tid, EnrolmentStatus.CONFIRMED, None, (why, *prio))

    if seats_left > 0:  # only reserved seats of other communes are left
        why = Reason("waitlisted_reserved_for_others",
                     f"Các chỗ còn lại ({seats_left}) được dành riêng cho cán bộ của xã/phường khác đến khi hết hạn "
                     f"đăng ký",
                     f"The remaining seats ({seats_left}) are reserved for officials of other communes until "
                     f"registration closes")
    else:
        why = Reason("waitlisted_course_full", f"Khoá học đã đủ {capacity} chỗ",
                     f"The course is full ({capacity} seats)")
    order = Reason("waitlist_order",
                   "Danh sách chờ được xếp theo thứ tự ưu tiên, rồi theo thời gian đăng ký; khi có người rút, người "
                   "đứng đầu danh sách chờ được xác nhận",
                   "The waitlist is ordered by priority, then registration time; when someone withdraws, the first "
                   "person on the waitlist is confirmed")
    return Decision(tid, EnrolmentStatus.WAITLISTED, None, (why, *prio, order))


def decision_when_full(course: CourseWindow, ranked_new: Ranked, *, today: date | None = None) -> Decision | None:
    """FIRST_COME: what `decide_first_come` decides for this person once every seat of the course is taken; the same
    for any confirmed count from the capacity up (the course is full, whatever the count), so it can be decided
    before the count is read. None when the course reserves seats for communes: then the counts per commune
    decide."""
    if course.quotas:
        return None
    return decide_first_come(course, ranked_new, max(course.capacity, 0), {}, today=today)


def _waitlisted(r: Ranked, position: int, why_vi: str, why_en: str) -> Decision:
    # The position is the decision's field, not words in the reason: it changes while the reason stays true.
    why = Reason("waitlisted", f"Danh sách chờ: {why_vi}", f"Waitlisted: {why_en}")
    return Decision(r.applicant.trainee_id, EnrolmentStatus.WAITLISTED, position, (why, *r.priority.reasons))


def allocate(course: CourseWindow, ranked: Sequence[Ranked]) -> list[Decision]:
    """REVIEW mode, at the close of registration: who is confirmed and who waits, one decision per applicant.

    First each commune's reserved seats go to that commune's best-ranked, then the remaining seats to the best-ranked
    overall; never more than ``capacity`` (if the reserved seats add up to more, the best-ranked of the quota holders
    come first). Everyone else is WAITLISTED with positions 1..n in rank order; applicants the curriculum is not for
    are REJECTED. Decisions come in rank order.
    """
    order = sorted(ranked, key=lambda r: r.key)
    capacity = max(course.capacity, 0)
    eligible = [r for r in order if r.priority.eligible]
    reserved: set[int] = set()
    left = {u: q for u, q in course.quotas.items() if q > 0}
    for r in eligible:
        if len(reserved) >= capacity:
            break
        u = r.applicant.unit_id
        if left.get(u, 0) > 0:
            reserved.add(r.applicant.trainee_id)
            left[u] -= 1
    general: set[int] = set()
    for r in eligible:
        if len(reserved) + len(general) >= capacity:
            break
        if r.applicant.trainee_id not in reserved:
            general.add(r.applicant.trainee_id)

    out: list[Decision] = []
    position = 0
    for r in order:
        tid = r.applicant.trainee_id
        if not r.priority.eligible:
            out.append(_not_for_curriculum(r))
        elif tid in reserved:
            p = _priority_reason(r)
            why = Reason("confirmed_reserved_seat",
                         f"Được xác nhận vào chỗ dành riêng cho xã/phường của bạn ({p.vi})",
                         f"Confirmed on a seat reserved for your commune ({p.en})")
            out.append(Decision(tid, EnrolmentStatus.CONFIRMED, None, (why, *r.priority.reasons)))
        elif tid in general:
            p = _priority_reason(r)
            why = Reason("confirmed_by_priority", f"Được xác nhận theo thứ tự ưu tiên: {p.vi}",
                         f"Confirmed in order of priority: {p.en}")
            out.append(Decision(tid, EnrolmentStatus.CONFIRMED, None, (why, *r.priority.reasons)))
        else:
            position += 1
            if capacity == 0:
                vi, en = "khoá học không có chỗ", "the course has no seats"
            elif not general:
                vi = "tất cả các chỗ đã dành riêng cho cán bộ các xã/phường được phân bổ chỉ tiêu"
                en = "all seats are reserved for officials of the communes with quotas"
            elif any(o.priority.sort_key == r.priority.sort_key
                     for o in eligible if o.applicant.trainee_id in general):
                vi = (f"các {capacity} chỗ đã dành cho người có ưu tiên cao hơn hoặc cùng mức ưu tiên "
                      f"nhưng đăng ký sớm hơn")
                en = (f"the {capacity} seats went to people with a higher priority, or the same priority who "
                      f"registered earlier")
            else:
                vi = f"các {capacity} chỗ đã dành cho người có ưu tiên cao hơn"
                en = f"the {capacity} seats went to people with a higher priority"
            out.append(_waitlisted(r, position, vi, en))
    return out


# --------------------------------------------------------------------------------------------------------------------
# The waitlist
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """One person on a course's waitlist, as the enrolment keeps them: their priority for the course when they
    registered (``Ranked.key``'s first part, smaller first) and when they registered."""

    enrolment_id: int
    trainee_id: int
    priority_rank: int
    priority_sub_rank: int
    registered_at: datetime


WAITLIST_KEY: tuple[str, ...] = ("priority_rank", "priority_sub_rank", "registered_at", "trainee_id")
"""The waitlist's order, smallest first: priority, then time of registration, then the trainee id so that the order
is total. The database numbers the waitlist by these same fields when it is read (``app.enrolment.models``)."""


def waitlist_key(w: Waiting) -> tuple:
    return tuple(getattr(w, name) for name in WAITLIST_KEY)


def waitlist_order(waiting: Sequence[Waiting]) -> list[tuple[int, Waiting]]:
    """The waitlist with its positions 1..n, in order (``WAITLIST_KEY``)."""
    return list(enumerate(sorted(waiting, key=waitlist_key), start=1))


def promote(capacity: int, confirmed_count: int, waiting: Sequence[Waiting]) -> list[Waiting]:
    """Who moves up when seats are free (someone withdrew or was refused, or the course got more seats): the head of
    the waitlist, in order, one per free seat; nobody when the course is full or nobody waits."""
    free = max(0, capacity - confirmed_count)
    return [w for _, w in waitlist_order(waiting)][:free]


def promoted_reason(more_seats: bool) -> Reason:
    """Why someone left the waitlist for a seat."""
    if more_seats:
        return Reason("promoted", "Được chuyển từ danh sách chờ lên vì khoá học có thêm chỗ",
                      "Moved up from the waitlist: the course got more seats")
    return Reason("promoted", "Được chuyển từ danh sách chờ lên vì có người rút",
                  "Moved up from the waitlist after someone withdrew")

