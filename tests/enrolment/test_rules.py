"""Enrolment rules: eligibility with every refusal and its message, ranking, first-come decisions with and without
reserved seats, review allocation, the waitlist and promotion, and the status transitions. No database."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.enrolment.rules import (
    ACTIVE,
    STATUS_LABELS,
    AllocationMode,
    Applicant,
    CourseWindow,
    EnrolmentStatus,
    Ranked,
    Waiting,
    allocate,
    decide_first_come,
    decision_when_full,
    eligibility,
    may_change,
    overridable,
    promote,
    rank,
    retraining_refusal,
    retraining_setting,
    waitlist_order,
)
from app.people.rules import PersonFacts

CT2_GROUPS = ("cvh_radio", "grassroots_info", "party_mass_propaganda")
TODAY = date(2026, 12, 1)
T0 = datetime(2026, 11, 20, 8, 0)

CVH_RADIO = PersonFacts("cong_chuc_vhxh", "ubnd_xa", True)  # priority 1 for CT2
CVH = PersonFacts("cong_chuc_vhxh", "ubnd_xa", False)  # priority 2 (grassroots_info)
PROPAGANDA = PersonFacts("can_bo_tuyen_giao", "dang_uy_xa", False)  # priority 3
REPORTER = PersonFacts("phong_vien", "co_quan_bao_chi", False)  # press: not a CT2 group
ALL_FACTS = (CVH_RADIO, CVH, PROPAGANDA)


def course(**kw) -> CourseWindow:
    values = dict(course_status="open", registration_opens=date(2026, 11, 1), registration_closes=date(2026, 12, 10),
                  eligible_unit_ids=frozenset({101, 102, 103}), curriculum_code="CT2",
                  curriculum_target_groups=CT2_GROUPS, capacity=60, mode=AllocationMode.FIRST_COME)
    values.update(kw)
    return CourseWindow(**values)


def person(tid: int = 1, facts: PersonFacts = CVH_RADIO, unit: int = 101, confirmed: bool = True,
           minutes: int = 0, completed: date | None = None) -> Applicant:
    return Applicant(trainee_id=tid, unit_id=unit, facts=facts, record_confirmed=confirmed,
                     registered_at=T0 + timedelta(minutes=minutes), completed_same_curriculum_on=completed)


def one(c: CourseWindow, a: Applicant) -> Ranked:
    return rank(c, [a])[0]


def codes(reasons) -> list[str]:
    return [r.code for r in reasons]


# --- statuses and transitions ---------------------------------------------------------------------------------------


def test_labels_and_active():
    assert set(STATUS_LABELS) == {s.value for s in EnrolmentStatus}
    assert STATUS_LABELS["waitlisted"] == ("Danh sách chờ", "Waitlisted")
    assert STATUS_LABELS["not_completed"][0] == "Không hoàn thành"
    assert {EnrolmentStatus.PENDING, EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED} == ACTIVE


@pytest.mark.parametrize(("old", "new", "ok"), [
    ("pending", "confirmed", True), ("pending", "waitlisted", True), ("pending", "rejected", True),
    ("pending", "withdrawn", True), ("pending", "completed", False),
    ("waitlisted", "confirmed", True), ("waitlisted", "withdrawn", True), ("waitlisted", "rejected", True),
    ("waitlisted", "pending", False), ("waitlisted", "completed", False),
    ("confirmed", "withdrawn", True), ("confirmed", "rejected", True), ("confirmed", "completed", True),
    ("confirmed", "not_completed", True), ("confirmed", "waitlisted", False), ("confirmed", "confirmed", False),
    ("rejected", "confirmed", False), ("withdrawn", "pending", False), ("completed", "not_completed", False),
    ("not_completed", "completed", False), ("bogus", "confirmed", False), ("pending", "bogus", False),
])
def test_may_change(old, new, ok):
    assert may_change(old, new) is ok


# --- eligibility ----------------------------------------------------------------------------------------------------


def test_eligible_gives_priority_reasons():
    ok, reasons = eligibility(course(), person(), TODAY, {"cvh_radio": "Công chức VH-XH phụ trách đài"})
    assert ok
    assert reasons[0].code == "priority"
    assert reasons[0].vi.startswith("Ưu tiên 1: công chức VH-XH phụ trách đài")


@pytest.mark.parametrize(("status", "code", "vi"), [
    ("draft", "course_not_open", "Khoá học chưa mở đăng ký"),
    ("running", "course_closed", "Khoá học đã đóng đăng ký (trạng thái: Đang diễn ra)"),
    ("cancelled", "course_cancelled", "Khoá học đã bị huỷ"),
])
def test_course_not_open(status, code, vi):
    ok, reasons = eligibility(course(course_status=status), person(), TODAY)
    assert not ok
    assert [(r.code, r.vi) for r in reasons] == [(code, vi)]


def test_before_window_opens():
    ok, reasons = eligibility(course(), person(), date(2026, 10, 31))
    assert not ok and codes(reasons) == ["registration_not_yet_open"]
    assert reasons[0].vi == "Khoá học mở đăng ký từ ngày 01/11/2026"


def test_after_window_closes():
    ok, reasons = eligibility(course(), person(), date(2026, 12, 11))
    assert not ok and codes(reasons) == ["registration_closed"]
    assert reasons[0].vi == "Đã hết hạn đăng ký ngày 10/12/2026"
    assert reasons[0].en == "Registration closed on 10/12/2026"
    assert eligibility(course(), person(), date(2026, 12, 10))[0]  # the closing day still counts


def test_outside_places():
    ok, reasons = eligibility(course(), person(unit=999), TODAY)
    assert not ok and codes(reasons) == ["outside_places"]
    assert reasons[0].vi == "Xã/phường của bạn không thuộc địa bàn của khoá học"


def test_not_a_target_group_reuses_priority_reason():
    ok, reasons = eligibility(course(), person(facts=REPORTER), TODAY)
    assert not ok and codes(reasons) == ["not_in_curriculum"]
    assert reasons[0].vi.startswith("Chương trình CT2 không dành cho nhóm")


def test_record_not_confirmed():
    ok, reasons = eligibility(course(), person(confirmed=False), TODAY)
    assert not ok and codes(reasons) == ["record_not_confirmed"]
    assert reasons[0].vi == "Hồ sơ của bạn chưa được cán bộ tổ chức xác nhận"


def test_retraining_is_allowed_unless_the_course_sets_a_gap():
    assert eligibility(course(), person(completed=date(2026, 6, 1)), TODAY)[0]  # default: trained again
    assert retraining_setting("CT2", 0).code == "retraining_allowed"
    ok, reasons = eligibility(course(recent_years=3), person(completed=date(2024, 3, 5)), TODAY)
    assert not ok and codes(reasons) == ["completed_recently"]
    assert reasons[0].vi == ("Bạn đã hoàn thành chương trình CT2 ngày 05/03/2024 (trong vòng 3 năm); "
                             "khoá học này chỉ nhận lại từ ngày 05/03/2027")
    assert eligibility(course(recent_years=3), person(completed=date(2023, 12, 1)), TODAY)[0]  # exactly 3 years
    assert eligibility(course(recent_years=2), person(completed=date(2024, 3, 5)), TODAY)[0]
    setting = retraining_setting("CT2", 3)
    assert setting.code == "retraining_gap" and "trong vòng 3 năm" in setting.vi and "lý do" in setting.vi
    assert retraining_refusal("CT2", 3, None, TODAY) is None


def test_only_the_retraining_refusal_may_be_overridden():
    _, recent = eligibility(course(recent_years=3), person(completed=date(2026, 1, 1)), TODAY)
    assert overridable(recent)
    _, more = eligibility(course(recent_years=3), person(completed=date(2026, 1, 1), unit=999), TODAY)
    assert not overridable(more)  # outside the course's places as well: no written reason lets them in
    assert not overridable([])


def test_every_refusal_at_once():
    ok, reasons = eligibility(course(course_status="draft", recent_years=3), person(
        facts=REPORTER, unit=999, confirmed=False, completed=date(2026, 1, 1)), date(2026, 12, 20))
    assert not ok
    assert codes(reasons) == ["course_not_open", "registration_closed", "outside_places", "not_in_curriculum",
                              "record_not_confirmed", "completed_recently"]
    assert all(r.vi and r.en for r in reasons)


# --- ranking --------------------------------------------------------------------------------------------------------


def test_rank_priority_then_categories_then_tie_breakers_then_time_then_id():
    c = course()
    late_radio = person(1, CVH_RADIO, minutes=50)
    early_cvh = person(2, CVH, minutes=0)
    dbkk_cvh = person(3, PersonFacts("cong_chuc_vhxh", "ubnd_xa", False, frozenset({"dbkk"})), minutes=40)
    propaganda = person(4, PROPAGANDA, minutes=-100)
    same_time_a, same_time_b = person(6, CVH, minutes=10), person(5, CVH, minutes=10)
    order = [r.applicant.trainee_id for r in rank(c, [propaganda, early_cvh, same_time_a, late_radio, dbkk_cvh,
                                                      same_time_b])]
    assert order == [1, 3, 2, 5, 6, 4]

    trained_before = {2}
    order = [r.applicant.trainee_id for r in rank(c, [early_cvh, same_time_a, same_time_b],
                                                  tie_breakers=[lambda a: a.trainee_id in trained_before])]
    assert order == [5, 6, 2]


def test_rank_puts_people_the_curriculum_is_not_for_last():
    ranked = rank(course(), [person(1, REPORTER, minutes=-10), person(2, PROPAGANDA)])
    assert [r.applicant.trainee_id for r in ranked] == [2, 1]
    assert not ranked[1].priority.eligible


# --- first come -----------------------------------------------------------------------------------------------------


def test_first_come_confirms_while_seats_remain():
    c = course(capacity=60)
    d = decide_first_come(c, one(c, person(7)), confirmed_count=59, confirmed_by_unit={101: 59})
    assert d.status is EnrolmentStatus.CONFIRMED and d.waitlist_position is None
    assert codes(d.reasons)[:2] == ["confirmed_seat_free", "priority"]


def test_first_come_waitlists_when_full_without_a_position_in_words():
    c = course(capacity=60)
    d = decide_first_come(c, one(c, person(7, CVH_RADIO, minutes=0)), 60, {101: 60})
    # the position moves while the person waits: it is read from the waitlist (waitlist_order), not written here
    assert d.status is EnrolmentStatus.WAITLISTED and d.waitlist_position is None
    assert d.reasons[0].vi == "Khoá học đã đủ 60 chỗ"
    assert d.reasons[1].code == "priority" and d.reasons[1].vi.startswith("Ưu tiên 1")
    assert d.reasons[-1].code == "waitlist_order"


@given(capacity=st.integers(0, 80), over=st.integers(0, 40), facts=st.sampled_from((*ALL_FACTS, REPORTER)),
       lapsed=st.booleans())
def test_the_decision_when_full_is_the_first_come_decision_at_any_count_from_the_capacity_up(capacity, over, facts,
                                                                                           lapsed):
    """What a registration decides before reading the count (one round trip, `service._claim_at_once`) must be what
    `decide_first_come` decides under the lock for every count of a full course, and differ from it below."""
    c = course(capacity=capacity)
    r = one(c, person(7, facts))
    today = c.registration_closes + timedelta(days=1) if lapsed else TODAY
    full = decision_when_full(c, r, today=today)
    assert full == decide_first_come(c, r, capacity + over, {101: capacity + over}, today=today)
    if capacity and facts is not REPORTER:  # below the capacity a seat is free: the decision is another
        assert decide_first_come(c, r, capacity - 1, {101: capacity - 1}, today=today) != full


def test_no_decision_when_full_for_a_course_that_reserves_seats():
    c = course(capacity=10, quotas={102: 2})
    assert decision_when_full(c, one(c, person(1)), today=TODAY) is None


def test_first_come_rejects_someone_the_curriculum_is_not_for():
    c = course()
    d = decide_first_come(c, one(c, person(1, REPORTER)), 0, {})
    assert d.status is EnrolmentStatus.REJECTED and d.reasons[0].code == "not_in_curriculum"


def test_first_come_with_quotas():
    c = course(capacity=10, quotas={102: 2, 103: 3})  # 5 general seats
    # 5 confirmed from 101 (general seats full), 1 from 102: 102 has 1 reserved seat left, 103 has 3.
    by_unit = {101: 5, 102: 1}
    from_101 = decide_first_come(c, one(c, person(1, unit=101)), 6, by_unit)
    assert from_101.status is EnrolmentStatus.WAITLISTED
    assert from_101.reasons[0].code == "waitlisted_reserved_for_others"
    assert from_101.reasons[0].vi.startswith("Các chỗ còn lại (4) được dành riêng cho cán bộ của xã/phường khác")
    from_102 = decide_first_come(c, one(c, person(2, CVH, unit=102)), 6, by_unit)
    assert from_102.status is EnrolmentStatus.CONFIRMED and from_102.reasons[0].code == "confirmed_reserved_seat"
    # a commune whose reserved seats are filled competes for general seats only
    full_102 = decide_first_come(c, one(c, person(3, unit=102)), 7, {101: 5, 102: 2})
    assert full_102.status is EnrolmentStatus.WAITLISTED
    # a commune with reserved seats still may take a general seat when one is free
    general = decide_first_come(c, one(c, person(4, unit=103)), 0, {})
    assert general.status is EnrolmentStatus.CONFIRMED and general.reasons[0].code == "confirmed_reserved_seat"
    # after registration closes the reserved seats are open to all
    late = decide_first_come(c, one(c, person(5, unit=101)), 6, by_unit, today=date(2026, 12, 11))
    assert late.status is EnrolmentStatus.CONFIRMED and late.reasons[0].code == "confirmed_seat_free"
    # never beyond capacity, even with a reserved seat unfilled on paper
    over = decide_first_come(c, one(c, person(6, unit=103)), 10, {101: 10})
    assert over.status is EnrolmentStatus.WAITLISTED and over.reasons[0].code == "waitlisted_course_full"


# --- review ---------------------------------------------------------------------------------------------------------


def test_review_allocation_by_priority():
    c = course(capacity=2, mode=AllocationMode.REVIEW)
    people = [person(1, PROPAGANDA, minutes=-60), person(2, CVH, minutes=5), person(3, CVH_RADIO, minutes=30),
              person(4, CVH, minutes=10), person(5, REPORTER)]
    decisions = allocate(c, rank(c, people))
    by_id = {d.trainee_id: d for d in decisions}
    assert [d.trainee_id for d in decisions] == [3, 2, 4, 1, 5]  # rank order
    assert by_id[3].status is EnrolmentStatus.CONFIRMED
    assert by_id[3].reasons[0].vi.startswith("Được xác nhận theo thứ tự ưu tiên: Ưu tiên 1: ")
    assert by_id[2].status is EnrolmentStatus.CONFIRMED
    assert (by_id[4].status, by_id[4].waitlist_position) == (EnrolmentStatus.WAITLISTED, 1)
    assert by_id[4].reasons[0].vi == ("Danh sách chờ: các 2 chỗ đã dành cho người có ưu tiên cao hơn "
                                      "hoặc cùng mức ưu tiên nhưng đăng ký sớm hơn")
    assert (by_id[1].status, by_id[1].waitlist_position) == (EnrolmentStatus.WAITLISTED, 2)
    assert by_id[1].reasons[0].vi == "Danh sách chờ: các 2 chỗ đã dành cho người có ưu tiên cao hơn"
    assert by_id[5].status is EnrolmentStatus.REJECTED


def test_review_allocation_fills_quotas_first():
    c = course(capacity=3, mode=AllocationMode.REVIEW, quotas={103: 1})
    people = [person(1, CVH_RADIO, unit=101), person(2, CVH_RADIO, unit=101, minutes=1),
              person(3, CVH_RADIO, unit=102, minutes=2), person(4, PROPAGANDA, unit=103, minutes=3),
              person(5, PROPAGANDA, unit=103, minutes=4)]
    by_id = {d.trainee_id: d for d in allocate(c, rank(c, people))}
    assert {t for t, d in by_id.items() if d.status is EnrolmentStatus.CONFIRMED} == {1, 2, 4}
    assert by_id[4].reasons[0].code == "confirmed_reserved_seat"
    assert by_id[4].reasons[0].vi.startswith("Được xác nhận vào chỗ dành riêng cho xã/phường của bạn (Ưu tiên 3")
    assert (by_id[3].waitlist_position, by_id[5].waitlist_position) == (1, 2)


def waiting_from(ranked: list[Ranked]) -> list[Waiting]:
    """The waitlist as the database keeps it: each person's priority key and registration time."""
    return [Waiting(100 + r.applicant.trainee_id, r.applicant.trainee_id, *r.priority.sort_key[:2],
                    r.applicant.registered_at) for r in ranked]


def test_waitlist_order_and_promote():
    c = course()
    ranked = rank(c, [person(1, PROPAGANDA), person(2, CVH_RADIO, minutes=9), person(3, CVH)])
    waiting = waiting_from(list(reversed(ranked)))
    assert [(p, w.trainee_id) for p, w in waitlist_order(waiting)] == [(1, 2), (2, 3), (3, 1)]
    assert [w.trainee_id for w in promote(60, 59, waiting)] == [2]
    assert [w.trainee_id for w in promote(62, 59, waiting)] == [2, 3, 1]  # more seats: the waitlist moves up in order
    assert promote(60, 60, waiting) == [] and promote(60, 10, []) == []


def test_the_same_priority_waits_in_order_of_registration():
    c = course()
    early, late = person(1, CVH, minutes=0), person(2, CVH, minutes=1)
    assert [w.trainee_id for _, w in waitlist_order(waiting_from(rank(c, [late, early])))] == [1, 2]


# --- properties -----------------------------------------------------------------------------------------------------

UNITS = (101, 102, 103)


@st.composite
def applicants(draw, min_size: int = 0, max_size: int = 25) -> list[Applicant]:
    n = draw(st.integers(min_size, max_size))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n, unique=True))
    out = []
    for tid in ids:
        base = draw(st.sampled_from(ALL_FACTS))
        cats = draw(st.frozensets(st.sampled_from(("dbkk", "bien_gioi", "hai_dao", "dtts")), max_size=2))
        facts = PersonFacts(base.position, base.organisation_type, base.in_charge_of_radio, cats)
        out.append(Applicant(tid, draw(st.sampled_from(UNITS)), facts, True,
                             T0 + timedelta(minutes=draw(st.integers(0, 30))), None))
    return out


quotas = st.dictionaries(st.sampled_from(UNITS), st.integers(0, 4), max_size=3)


def _confirmed(decisions) -> set[int]:
    return {d.trainee_id for d in decisions if d.status is EnrolmentStatus.CONFIRMED}


@settings(max_examples=100, deadline=None)
@given(applicants(), st.integers(0, 12))
def test_review_confirms_exactly_the_best_ranked_within_capacity(people, capacity):
    c = course(capacity=capacity, mode=AllocationMode.REVIEW)
    ranked = rank(c, people)
    assert _confirmed(allocate(c, ranked)) == {r.applicant.trainee_id for r in ranked[:capacity]}


@settings(max_examples=100, deadline=None)
@given(applicants(), st.integers(0, 12), quotas)
def test_review_with_quotas_never_exceeds_capacity_and_honours_quotas(people, capacity, q):
    c = course(capacity=capacity, mode=AllocationMode.REVIEW, quotas=q)
    decisions = allocate(c, rank(c, people))
    confirmed = _confirmed(decisions)
    assert len(confirmed) == min(capacity, len(people))
    assert len(decisions) == len(people)
    if sum(q.values()) <= capacity:
        unit_of = {a.trainee_id: a.unit_id for a in people}
        for u, seats in q.items():
            applying = sum(1 for a in people if a.unit_id == u)
            assert sum(1 for t in confirmed if unit_of[t] == u) >= min(seats, applying)


@settings(max_examples=100, deadline=None)
@given(applicants(), st.integers(0, 12))
def test_better_priority_never_waitlisted_behind_worse_confirmed(people, capacity):
    c = course(capacity=capacity, mode=AllocationMode.REVIEW)
    ranked = {r.applicant.trainee_id: r for r in rank(c, people)}
    decisions = allocate(c, list(ranked.values()))
    confirmed = [ranked[d.trainee_id].priority.sort_key for d in decisions if d.status is EnrolmentStatus.CONFIRMED]
    waiting = [ranked[d.trainee_id].priority.sort_key for d in decisions if d.status is EnrolmentStatus.WAITLISTED]
    for w in waiting:
        assert all(not w < k for k in confirmed)


@settings(max_examples=100, deadline=None)
@given(applicants(), st.integers(0, 12), quotas)
def test_waitlist_positions_are_one_to_n_in_rank_order(people, capacity, q):
    c = course(capacity=capacity, mode=AllocationMode.REVIEW, quotas=q)
    ranked = rank(c, people)
    key = {r.applicant.trainee_id: r.key for r in ranked}
    waiting = [d for d in allocate(c, ranked) if d.status is EnrolmentStatus.WAITLISTED]
    assert [d.waitlist_position for d in waiting] == list(range(1, len(waiting) + 1))
    assert [key[d.trainee_id] for d in waiting] == sorted(key[d.trainee_id] for d in waiting)

    renumbered = waitlist_order(waiting_from(list(reversed(ranked))))
    assert [p for p, _ in renumbered] == list(range(1, len(ranked) + 1))
    assert [w.trainee_id for _, w in renumbered] == [r.applicant.trainee_id for r in ranked]  # the ranking's order


@settings(max_examples=100, deadline=None)
@given(applicants(), st.integers(0, 12), st.integers(0, 15), st.randoms(use_true_random=False))
def test_promote_takes_the_head_of_the_waitlist(people, capacity, confirmed_count, rnd):
    ranked = rank(course(), people)
    shuffled = list(ranked)
    rnd.shuffle(shuffled)
    moved = promote(capacity, confirmed_count, waiting_from(shuffled))
    free = max(0, capacity - confirmed_count)
    assert [w.trainee_id for w in moved] == [r.applicant.trainee_id for r in ranked[:free]]


@settings(max_examples=100, deadline=None)
@given(applicants(), st.integers(0, 12), quotas)
def test_first_come_never_oversubscribes(people, capacity, q):
    c = course(capacity=capacity, quotas=q)
    confirmed: dict[int, int] = {}
    for r in rank(c, sorted(people, key=lambda a: (a.registered_at, a.trainee_id))):
        d = decide_first_come(c, r, sum(confirmed.values()), confirmed)
        if d.status is EnrolmentStatus.CONFIRMED:
            confirmed[r.applicant.unit_id] = confirmed.get(r.applicant.unit_id, 0) + 1
        else:
            assert d.status is EnrolmentStatus.WAITLISTED and d.waitlist_position is None
        assert sum(confirmed.values()) <= capacity
    general = capacity - sum(q.values())
    if general >= 0:
        for u, seats in q.items():  # a unit never holds more than its reserved seats plus the general seats
            assert confirmed.get(u, 0) <= seats + general
