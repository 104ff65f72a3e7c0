"""Issuing-body rules without a database: patterns, clashes, the Việt Nam date, a course's hours, the seal."""
from __future__ import annotations

from datetime import UTC, date, datetime, time

from app.issuers import rules


def test_a_pattern_needs_one_running_number_and_known_fields_only():
    assert rules.pattern_problem("{n}/{year}/GCN") is None
    assert rules.pattern_problem("{n:04d}/{year}/GCN-{code}") is None
    assert rules.pattern_problem("").code == "pattern_required"
    assert rules.pattern_problem("{year}/GCN").code == "pattern_needs_n"
    assert rules.pattern_problem("{n}/{n}").code == "pattern_needs_n"
    assert rules.pattern_problem("{n}/{unit}").code == "pattern_field"
    assert rules.pattern_problem("{n}/{year").code == "pattern_invalid"
    assert rules.pattern_problem("{n}" + "x" * 60).code == "pattern_too_long"


def test_two_bodies_clash_when_their_numbers_would_look_the_same():
    plain = rules.BodyNumbers(1, "Sở VHTTDL", rules.number_skeleton("{n}/{year}/GCN", ""))
    padded = rules.BodyNumbers(2, "Trung tâm", rules.number_skeleton("{n:04d}/{year}/GCN", ""))
    coded = rules.BodyNumbers(3, "Trung tâm", rules.number_skeleton("{n}/{year}/GCN-{code}", "TTCT"))
    other_code = rules.BodyNumbers(4, "Sở cũ", rules.number_skeleton("{n}/{year}/GCN-{code}", "STTTT"))
    assert rules.clash(padded, [plain]).code == "number_clash"  # 1234/2026/GCN from both
    assert "Sở VHTTDL" in rules.clash(padded, [plain]).vi
    assert rules.clash(coded, [plain, other_code]) is None
    assert rules.clash(plain, [plain]) is None  # itself
    same_code = rules.BodyNumbers(5, "X", rules.number_skeleton("{n}/{year}/GCN-{code}", "ttct"))
    assert rules.clash(same_code, [coded]).code == "number_clash"


def test_the_issue_date_is_the_date_in_viet_nam():
    assert rules.vn_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2027, 1, 1)
    assert rules.vn_date(datetime(2026, 12, 31, 16, 59, tzinfo=UTC)) == date(2026, 12, 31)


def test_a_course_prints_its_own_hours():
    three = [rules.Slot(time(7, 30), time(10, 30))]
    assert rules.course_hours(None, three) == 3
    assert rules.course_hours(None, [rules.Slot(time(7, 30), time(11, 30)), rules.Slot(time(13, 30), time(17, 0))]) \
        == 7.5
    assert rules.course_hours(6, three) == 6
    assert rules.hours_problem(rules.course_hours(None, [])).code == "hours_missing"
    assert rules.hours_override_problem(0).code == "hours_invalid"
    assert rules.hours_override_problem(float("nan")).code == "hours_invalid"


def test_initials_as_offices_abbreviate():
    assert rules.initials("Sở Văn hóa, Thể thao và Du lịch tỉnh Bắc Ninh") == "SVHTTDLBN"
    assert rules.initials("Trung tâm Chính trị") == "TTCT"


def test_the_seal_is_checked_by_its_bytes_and_size():
    png = b"\x89PNG\r\n\x1a\n" + b"x" * 100
    assert rules.seal_problem(png, (400, 400)) is None
    assert rules.seal_problem(b"", None).code == "seal_empty"
    assert rules.seal_problem(b"GIF89a" + b"x" * 100, (400, 400)).code == "seal_type"
    assert rules.seal_problem(png, None).code == "seal_unreadable"
    assert rules.seal_problem(png, (5000, 400)).code == "seal_size"
    assert rules.seal_problem(png + b"x" * rules.SEAL_MAX_BYTES, (400, 400)).code == "seal_too_large"
