"""Completion by the course's rule: examples, and adding a "present" mark never takes completion away."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.attendance.rules import CompletionRule, Mark, completion

SESSIONS = [1, 2, 3, 4, 5]


def test_eighty_percent_of_five_sessions_is_four():
    rule = CompletionRule(min_attendance_share=0.8)
    four = {1: "present", 2: "present", 3: "late", 4: "present", 5: "absent"}
    assert completion(rule, four, SESSIONS).completed
    three = {1: "present", 2: "absent", 3: "late", 4: "present", 5: "absent"}
    result = completion(rule, three, SESSIONS)
    assert not result.completed
    assert result.reason_vi == "Tham dự 3/5 buổi (60%), cần tối thiểu 80%"


def test_late_and_excused_follow_the_course_rule():
    marks = {1: "present", 2: "present", 3: "present", 4: "late", 5: "excused"}
    assert completion(CompletionRule(1.0, late_counts_as_present=True, excused_counts=True), marks, SESSIONS).completed
    assert not completion(CompletionRule(1.0, excused_counts=False), marks, SESSIONS).completed
    assert not completion(CompletionRule(0.8, late_counts_as_present=False), marks, SESSIONS).completed


def test_unmarked_sessions_and_assessment():
    assert not completion(CompletionRule(0.8), {1: "present"}, SESSIONS).completed
    everyone = dict.fromkeys(SESSIONS, "present")
    needs_test = CompletionRule(0.8, assessment_required=True)
    assert completion(needs_test, everyone, SESSIONS).reason_vi == "Chưa đạt bài kiểm tra cuối khoá"
    assert completion(needs_test, everyone, SESSIONS, assessment_passed=True).completed
    assert completion(CompletionRule(0.8), {}, []).reason_vi == "Khoá học chưa có buổi học nào"


marks_strategy = st.dictionaries(st.sampled_from(SESSIONS), st.sampled_from(list(Mark)))


@given(marks_strategy, st.sampled_from(SESSIONS), st.floats(0.05, 1.0), st.booleans(), st.booleans())
def test_a_present_mark_never_turns_completed_into_not_completed(marks, session, share, late, excused):
    rule = CompletionRule(share, late_counts_as_present=late, excused_counts=excused)
    before = completion(rule, marks, SESSIONS)
    after = completion(rule, {**marks, session: Mark.PRESENT}, SESSIONS)
    assert not (before.completed and not after.completed)
    assert after.attended >= before.attended
