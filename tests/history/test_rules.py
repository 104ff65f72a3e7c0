"""Rules of recording a past course, without a database."""
from __future__ import annotations

from datetime import date

from app.history.rules import attended_problem, date_problems, marks_for

TODAY = date(2026, 12, 3)


def test_a_past_course_has_both_dates_in_order_and_ended_before_today():
    assert date_problems(date(2023, 10, 10), date(2023, 10, 11), TODAY) == []
    assert [p.code for p in date_problems(None, date(2023, 1, 1), TODAY)] == ["dates_required"]
    assert [p.code for p in date_problems(date(2023, 10, 11), date(2023, 10, 10), TODAY)] == ["dates_invalid"]
    [still] = date_problems(TODAY, TODAY, TODAY)
    assert still.code == "not_past" and "03/12/2026" in still.vi and still.en


def test_sessions_attended_is_a_count_within_the_course():
    assert attended_problem(2, 2) == (2, None)
    assert attended_problem(2.0, 3) == (2, None)  # as Excel stores a number
    assert attended_problem("0", 3) == (0, None)
    for bad in (3, "-1", "hai", None):
        value, problem = attended_problem(bad, 2)
        assert value is None and problem.code == "attended_invalid" and "từ 0 đến 2" in problem.vi


def test_marks_from_a_count():
    assert marks_for(1, [7, 8, 9]) == {7: "present", 8: "absent", 9: "absent"}
    assert marks_for(0, [7]) == {7: "absent"}
