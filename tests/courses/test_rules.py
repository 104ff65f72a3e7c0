"""Course rules without a database: life cycle, session checks, coverage and lecturer/room conflicts."""
from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.courses.rules import (
    DEFAULT_TIMES,
    FORM_LABELS,
    STATUS_LABELS,
    TRANSITIONS,
    Conflict,
    CourseFacts,
    Form,
    ModuleFacts,
    PartOfDay,
    Problem,
    SessionFacts,
    Slot,
    Status,
    allowed_targets,
    course_code,
    coverage_problems,
    find_conflicts,
    next_sequence,
    session_problems,
    session_times,
    transition_problems,
)

TODAY = date(2026, 11, 1)
MODULES = (
    ModuleFacts("M1", "Tổng quan về thông tin cơ sở", True, 1),
    ModuleFacts("M2", "Kỹ năng viết tin bài", True, 2),
    ModuleFacts("M3", "Vận hành đài truyền thanh thông minh", True, 3),
    ModuleFacts("M4", "Chuyên đề tự chọn", False, 4),
)


def session(sid: int = 1, on: date = date(2026, 12, 1), start: time = time(7, 30), end: time = time(11, 30),
            modules: frozenset[str] = frozenset({"M1"}), lecturer_id: int | None = 1,
            room: str | None = "Hội trường A", link: str | None = None) -> SessionFacts:
    return SessionFacts(id=sid, on=on, start=start, end=end, module_codes=modules, lecturer_id=lecturer_id,
                        lecturer_name="Trần Thị Giảng" if lecturer_id else None, room=room, online_link=link)


GOOD_SESSIONS = (
    session(1, date(2026, 12, 1), modules=frozenset({"M1"})),
    session(2, date(2026, 12, 2), modules=frozenset({"M2"})),
    session(3, date(2026, 12, 3), modules=frozenset({"M3", "M4"})),
)


def ready(**changes: object) -> CourseFacts:
    """A draft course that may be opened; tests change one thing at a time."""
    base = CourseFacts(
        status="draft", form="in_person", start_date=date(2026, 12, 1), end_date=date(2026, 12, 5), capacity=40,
        registration_opens=date(2026, 11, 1), registration_closes=date(2026, 11, 25),
        venue="Trung tâm Chính trị huyện", place_count=2, modules=MODULES, sessions=GOOD_SESSIONS,
        min_attendance_share=0.8)
    return replace(base, **changes)


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


# ------------------------------------------------------------------------------------------------------ code (kept)

def test_course_code_unchanged() -> None:
    assert course_code("CT2", 2026, "24", 1) == "CT2-2026-24-001"
    assert next_sequence(["CT2-2026-24-001", "CT2-2026-24-007", "CT1-2026-24-009"], "CT2", 2026, "24") == 8


# ------------------------------------------------------------------------------------------------------ life cycle

def test_status_values_and_labels() -> None:
    assert [s.value for s in Status] == ["draft", "open", "running", "finished", "closed", "cancelled"]
    assert {k: v[0] for k, v in STATUS_LABELS.items()} == {
        "draft": "Nháp", "open": "Đang mở đăng ký", "running": "Đang diễn ra", "finished": "Đã kết thúc",
        "closed": "Đã đóng", "cancelled": "Đã huỷ"}
    assert all(v[1] for v in STATUS_LABELS.values())
    assert STATUS_LABELS[Status.OPEN] == STATUS_LABELS["open"]


def test_transition_table() -> None:
    edges = {(a.value, b.value) for a, targets in TRANSITIONS.items() for b in targets}
    assert edges == {("draft", "open"), ("open", "draft"), ("open", "running"), ("running", "finished"),
                     ("finished", "closed"), ("draft", "cancelled"), ("open", "cancelled"),
                     ("running", "cancelled")}
    assert set(TRANSITIONS) == set(Status)
    assert allowed_targets("open") == [Status.DRAFT, Status.RUNNING, Status.CANCELLED]
    assert allowed_targets("closed") == allowed_targets("cancelled") == []
    with pytest.raises(TypeError):
        TRANSITIONS[Status.CLOSED] = frozenset({Status.DRAFT})  # type: ignore[index]


@pytest.mark.parametrize(("current", "target"), [
    (a, b) for a in Status for b in Status if b not in TRANSITIONS[a]])
def test_disallowed_transitions(current: Status, target: Status) -> None:
    problems = transition_problems(ready(status=current), target, TODAY, reason="x")
    assert codes(problems) == ["transition_not_allowed"]


def test_disallowed_transition_message() -> None:
    [p] = transition_problems(ready(), "finished", TODAY)
    assert p.vi.startswith("Không thể chuyển khoá học từ “Nháp” sang “Đã kết thúc”")
    assert "“Đang mở đăng ký”, “Đã huỷ”" in p.vi
    assert p.en.startswith("A course cannot go from “Draft” to “Finished”")
    [p] = transition_problems(ready(status="closed"), "draft", TODAY)
    assert "không thể chuyển sang trạng thái nào khác" in p.vi


def test_unknown_statuses() -> None:
    assert codes(transition_problems(ready(), "archived", TODAY)) == ["status_unknown"]
    assert codes(transition_problems(ready(status="weird"), "open", TODAY)) == ["status_unknown"]


def test_ready_course_opens() -> None:
    assert transition_problems(ready(), Status.OPEN, TODAY) == []
    assert transition_problems(ready(), "open", TODAY) == []


@pytest.mark.parametrize(("changes", "code", "vi"), [
    ({"start_date": None}, "start_date_missing", "Chưa nhập ngày bắt đầu khoá học"),
    ({"end_date": None}, "end_date_missing", "Chưa nhập ngày kết thúc khoá học"),
    ({"end_date": date(2026, 11, 30)}, "dates_order",
     "Ngày kết thúc (30/11/2026) không được trước ngày bắt đầu (01/12/2026)"),
    ({"capacity": None}, "capacity_missing", "Chưa nhập số học viên tối đa (số chỗ) của khoá học"),
    ({"capacity": 0}, "capacity_missing", "Chưa nhập số học viên tối đa (số chỗ) của khoá học"),
    ({"registration_opens": None}, "registration_window_missing", "Chưa nhập đủ ngày mở và ngày đóng đăng ký"),
    ({"registration_closes": None}, "registration_window_missing", "Chưa nhập đủ ngày mở và ngày đóng đăng ký"),
    ({"registration_opens": date(2026, 11, 26)}, "registration_window_order",
     "Ngày đóng đăng ký (25/11/2026) không được trước ngày mở đăng ký (26/11/2026)"),
    ({"registration_closes": date(2026, 12, 2)}, "registration_closes_after_start",
     "Ngày đóng đăng ký (02/12/2026) phải trước hoặc trùng ngày khoá học bắt đầu (01/12/2026)"),
    ({"venue": None}, "venue_missing", "Chưa nhập địa điểm tổ chức (hội trường) của khoá học"),
    ({"venue": "   ", "form": "hybrid", "sessions": tuple(replace(s, online_link="https://meet.example/x")
                                                          for s in GOOD_SESSIONS)},
     "venue_missing", "Chưa nhập địa điểm tổ chức (hội trường) của khoá học"),
    ({"place_count": 0}, "places_missing", "Chưa chọn địa bàn (tỉnh, xã) có cán bộ được đăng ký học"),
    ({"min_attendance_share": 0.0}, "completion_rule_invalid",
     "Tỷ lệ tham dự tối thiểu để hoàn thành phải từ trên 0% đến 100%"),
    ({"form": "by_pigeon"}, "form_invalid", "Hình thức tổ chức “by_pigeon” không hợp lệ"),
])
def test_open_preconditions(changes: dict, code: str, vi: str) -> None:
    problems = transition_problems(ready(**changes), "open", TODAY)
    assert [(p.code, p.vi) for p in problems] == [(code, vi)]
    assert problems[0].en


def test_registration_closing_on_start_day_is_fine() -> None:
    assert transition_problems(ready(registration_opens=date(2026, 12, 1), registration_closes=date(2026, 12, 1)),
                               "open", TODAY) == []


def test_online_course_needs_no_venue_but_links() -> None:
    online = ready(form="online", venue=None, sessions=tuple(replace(s, room=None, online_link="https://m.vn/a")
                                                             for s in GOOD_SESSIONS))
    assert transition_problems(online, "open", TODAY) == []
    no_link = replace(online, sessions=(replace(online.sessions[0], online_link=" "), *online.sessions[1:]))
    [p] = transition_problems(no_link, "open", TODAY)
    assert p.code == "session_no_link"
    assert p.vi == "Buổi học ngày 01/12/2026 (07:30–11:30): buổi học trực tuyến chưa có đường dẫn để tham gia"


def test_open_needs_sessions_and_coverage() -> None:
    problems = transition_problems(ready(sessions=()), "open", TODAY)
    assert codes(problems) == ["sessions_missing", "module_not_covered", "module_not_covered", "module_not_covered"]
    assert problems[0].vi == "Khoá học chưa có buổi học nào"
    assert problems[3].vi == "Chưa có buổi học nào cho chuyên đề 3 (M3): Vận hành đài truyền thanh thông minh"


def test_open_reports_every_problem_at_once() -> None:
    bad_session = session(9, date(2026, 12, 12), time(9), time(8), frozenset(), room=None)
    course = ready(capacity=None, venue=None, place_count=0, registration_opens=None,
                   sessions=(*GOOD_SESSIONS[:2], bad_session))
    problems = transition_problems(course, "open", TODAY)
    assert codes(problems) == [
        "capacity_missing", "registration_window_missing", "venue_missing", "places_missing",
        "session_times_invalid", "session_outside_course", "session_no_module", "session_no_room",
        "module_not_covered"]
    by_code = {p.code: p.vi for p in problems}
    assert by_code["session_outside_course"] == (
        "Buổi học ngày 12/12/2026 nằm ngoài thời gian khoá học (01/12/2026–05/12/2026)")
    assert by_code["session_times_invalid"].startswith(
        "Buổi học ngày 12/12/2026 (09:00–08:00): giờ kết thúc phải sau giờ bắt đầu")


def test_open_blocked_by_conflicts_of_its_own_sessions() -> None:
    mine = Slot(1, 10, "CT2-2026-24-001", date(2026, 12, 1), time(7, 30), time(11, 30), 1, "Trần Thị Giảng",
                "Trung tâm", "Hội trường A")
    other = replace(mine, session_id=50, course_id=11, course_code="CT2-2026-24-002", room="Phòng 2")
    elsewhere = replace(other, session_id=51, course_id=12, course_code="CT2-2026-24-003", room="Phòng 3")
    conflicts = find_conflicts([mine, other])
    foreign = find_conflicts([replace(other, session_id=60), elsewhere])
    assert len(conflicts) == 1 and len(foreign) == 1
    problems = transition_problems(ready(), "open", TODAY, conflicts=[*conflicts, *foreign])
    assert [(p.code, p.vi) for p in problems] == [("lecturer_conflict", conflicts[0].vi)]


def test_back_to_draft_has_no_preconditions() -> None:
    assert transition_problems(ready(status="open", sessions=(), capacity=None), "draft", TODAY) == []


def test_running_only_from_the_start_date() -> None:
    course = ready(status="open")
    [p] = transition_problems(course, "running", date(2026, 11, 30))
    assert p == Problem("too_early_to_start",
                        "Khoá học bắt đầu ngày 01/12/2026; chưa thể chuyển sang Đang diễn ra",
                        "The course starts on 01/12/2026; it cannot be marked as running yet")
    assert transition_problems(course, "running", date(2026, 12, 1)) == []
    assert transition_problems(course, "running", date(2026, 12, 9)) == []
    assert codes(transition_problems(replace(course, start_date=None), "running", TODAY)) == ["start_date_missing"]


def test_finished_only_from_the_end_date() -> None:
    course = ready(status="running")
    [p] = transition_problems(course, "finished", date(2026, 12, 4))
    assert p.code == "too_early_to_finish"
    assert p.vi == "Khoá học kết thúc ngày 05/12/2026; chưa thể chuyển sang Đã kết thúc"
    assert transition_problems(course, "finished", date(2026, 12, 5)) == []
    assert codes(transition_problems(replace(course, end_date=None), "finished", TODAY)) == ["end_date_missing"]


def test_closed_after_finished() -> None:
    assert transition_problems(ready(status="finished"), "closed", TODAY) == []


@pytest.mark.parametrize("status", ["draft", "open", "running"])
def test_cancel_needs_a_reason(status: str) -> None:
    course = ready(status=status, sessions=(), capacity=None)  # nothing else matters for cancelling
    for reason in (None, "", "   \n"):
        [p] = transition_problems(course, "cancelled", TODAY, reason=reason)
        assert (p.code, p.vi) == ("cancel_reason_missing", "Cần ghi lý do huỷ khoá học")
    assert transition_problems(course, "cancelled", TODAY, reason="Bão số 3, hoãn sang năm sau") == []


# ------------------------------------------------------------------------------------------------------ times

def test_session_times() -> None:
    assert DEFAULT_TIMES[PartOfDay.MORNING] == (time(7, 30), time(11, 30))
    assert session_times("morning", None, None) == (time(7, 30), time(11, 30))
    assert session_times("afternoon", None, None) == (time(13, 30), time(17, 0))
    assert session_times(PartOfDay.EVENING, time(1), time(2)) == (time(18, 30), time(21, 0))
    assert session_times("custom", time(8), time(10, 15)) == (time(8), time(10, 15))
    with pytest.raises(ValueError, match="giờ bắt đầu và giờ kết thúc"):
        session_times("custom", time(8), None)
    with pytest.raises(ValueError, match="không hợp lệ"):
        session_times("midnight", None, None)


def test_form_labels() -> None:
    assert [f.value for f in Form] == ["in_person", "online", "hybrid"]
    assert [FORM_LABELS[f][0] for f in Form] == ["Trực tiếp", "Trực tuyến", "Kết hợp (hội trường và các điểm cầu)"]


# ------------------------------------------------------------------------------------------------------ sessions

def test_good_session_has_no_problems() -> None:
    assert all(session_problems(ready(), s) == [] for s in GOOD_SESSIONS)


def test_session_end_after_start() -> None:
    for end in (time(7, 30), time(7)):
        [p] = session_problems(ready(), session(end=end))
        assert p.code == "session_times_invalid"
        assert p.vi.startswith("Giờ kết thúc phải sau giờ bắt đầu")


@pytest.mark.parametrize(("on", "ok"), [(date(2026, 11, 30), False), (date(2026, 12, 1), True),
                                        (date(2026, 12, 5), True), (date(2026, 12, 6), False)])
def test_session_inside_course_dates(on: date, ok: bool) -> None:
    problems = session_problems(ready(), session(on=on))
    assert problems == ([] if ok else [Problem(
        "session_outside_course",
        f"Buổi học ngày {on:%d/%m/%Y} nằm ngoài thời gian khoá học (01/12/2026–05/12/2026)",
        f"The session on {on:%d/%m/%Y} is outside the course dates (01/12/2026–05/12/2026)")])


def test_session_dates_with_only_one_course_date() -> None:
    [p] = session_problems(ready(end_date=None), session(on=date(2026, 11, 2)))
    assert p.vi == "Buổi học ngày 02/11/2026 nằm ngoài thời gian khoá học (từ 01/12/2026)"
    assert session_problems(ready(start_date=None, end_date=None), session(on=date(2020, 1, 1))) == []


def test_session_modules() -> None:
    assert codes(session_problems(ready(), session(modules=frozenset()))) == ["session_no_module"]
    problems = session_problems(ready(), session(modules=frozenset({"M1", "X9", "A1"})))
    assert [p.vi for p in problems] == ["Chuyên đề “A1” không thuộc chương trình của khoá học này",
                                        "Chuyên đề “X9” không thuộc chương trình của khoá học này"]


def test_session_room_and_link_by_form() -> None:
    no_room = session(room=None)
    assert session_problems(ready(), no_room) == []  # the course venue counts
    [p] = session_problems(ready(venue=" "), no_room)
    assert (p.code, p.vi) == ("session_no_room", "Buổi học trực tiếp chưa có phòng học hay địa điểm")
    assert codes(session_problems(ready(form="online", venue=None), session(room=None))) == ["session_no_link"]
    assert session_problems(ready(form="online"), session(link="https://meet.example/a")) == []
    assert codes(session_problems(ready(form="hybrid", venue=None), no_room)) == ["session_no_room",
                                                                                  "session_no_link"]
    assert session_problems(ready(form="hybrid"), session(link="https://meet.example/a")) == []


# ------------------------------------------------------------------------------------------------------ coverage

def test_coverage_exact_message() -> None:
    course = ready(sessions=GOOD_SESSIONS[:2])
    assert coverage_problems(course) == [Problem(
        "module_not_covered", "Chưa có buổi học nào cho chuyên đề 3 (M3): Vận hành đài truyền thanh thông minh",
        "No session teaches module 3 (M3): Vận hành đài truyền thanh thông minh")]


def test_coverage_ignores_optional_modules_and_orders_by_position() -> None:
    assert coverage_problems(ready()) == []
    only_optional = ready(sessions=(session(modules=frozenset({"M4"})),), modules=tuple(reversed(MODULES)))
    assert [p.vi.split(":")[0] for p in coverage_problems(only_optional)] == [
        "Chưa có buổi học nào cho chuyên đề 1 (M1)", "Chưa có buổi học nào cho chuyên đề 2 (M2)",
        "Chưa có buổi học nào cho chuyên đề 3 (M3)"]


# ------------------------------------------------------------------------------------------------------ conflicts

def slot(sid: int, course: int = 1, on: date = date(2026, 12, 3), start: time = time(7, 30),
         end: time = time(11, 30), lecturer: int | None = 7, venue: str | None = "Trung tâm Chính trị huyện",
         room: str | None = None) -> Slot:
    return Slot(session_id=sid, course_id=course, course_code=f"CT2-2026-24-{course:03d}", on=on, start=start,
                end=end, lecturer_id=lecturer, lecturer_name="Trần Thị Giảng" if lecturer else None, venue=venue,
                room=room)


def test_lecturer_overlap_in_two_courses() -> None:
    a = slot(1, course=1)
    b = slot(2, course=2, start=time(9), end=time(10))
    [c] = find_conflicts([b, a])
    assert (c.kind, c.a, c.b) == ("lecturer", a, b)
    assert c.vi == ("Giảng viên Trần Thị Giảng đã có buổi dạy khoá CT2-2026-24-001 ngày 03/12/2026 07:30–11:30 "
                    "trùng giờ với buổi học khoá CT2-2026-24-002 09:00–10:00")
    assert "Trần Thị Giảng" in c.en and "CT2-2026-24-002" in c.en


def test_lecturer_overlap_within_one_course() -> None:
    [c] = find_conflicts([slot(1), slot(2, start=time(11), end=time(12))])
    assert "một buổi học khác cùng khoá 11:00–12:00" in c.vi


def test_room_overlap_folds_accents_case_and_spaces() -> None:
    a = slot(1, course=1, lecturer=1, room="Hội trường A")
    b = slot(2, course=2, lecturer=2, room="hoi  TRUONG a", venue="trung tâm chính trị HUYỆN",
             start=time(8), end=time(9))
    [c] = find_conflicts([a, b])
    assert (c.kind, c.a.session_id, c.b.session_id) == ("room", 1, 2)
    assert c.vi.startswith("Phòng “Hội trường A” tại Trung tâm Chính trị huyện đã có buổi học khoá "
                           "CT2-2026-24-001 ngày 03/12/2026 07:30–11:30 trùng giờ")


def test_same_room_name_at_another_venue_or_no_room_is_fine() -> None:
    a = slot(1, lecturer=1, room="Phòng 1")
    assert find_conflicts([a, slot(2, lecturer=2, room="Phòng 1", venue="UBND xã Tân Dĩnh")]) == []
    assert find_conflicts([slot(1, lecturer=1), slot(2, lecturer=2)]) == []
    assert find_conflicts([slot(1, lecturer=1, room="Phòng 1", venue=None),
                           slot(2, lecturer=2, room="Phòng 1", venue=None)]) == []


def test_touching_sessions_do_not_conflict() -> None:
    morning = slot(1, room="Phòng 1")
    noon = slot(2, course=2, start=time(11, 30), end=time(13), room="Phòng 1")
    assert find_conflicts([morning, noon]) == []


def test_different_days_do_not_conflict() -> None:
    assert find_conflicts([slot(1, room="Phòng 1"), slot(2, course=2, on=date(2026, 12, 4), room="Phòng 1")]) == []


def test_no_lecturer_no_lecturer_conflict() -> None:
    assert find_conflicts([slot(1, lecturer=None), slot(2, course=2, lecturer=None)]) == []


def test_both_kinds_and_each_pair_once_sorted() -> None:
    slots = [slot(3, course=3, start=time(10), end=time(12), room="Phòng 1"),
             slot(1, course=1, room="Phòng 1"),
             slot(2, course=2, start=time(8), end=time(9), room="Phòng 1"),
             slot(4, course=4, on=date(2026, 12, 2), lecturer=9)]
    found = find_conflicts(slots)
    assert [(c.kind, c.a.session_id, c.b.session_id) for c in found] == [
        ("lecturer", 1, 2), ("room", 1, 2), ("lecturer", 1, 3), ("room", 1, 3)]
    assert find_conflicts(list(reversed(slots))) == found


# Random small timetables: the grouped sweep must find exactly the pairs an all-pairs check finds.
TIMES = st.integers(min_value=14, max_value=44).map(lambda half_hours: time(half_hours // 2, 30 * (half_hours % 2)))
ROOMS = st.sampled_from([None, "", "Phòng 1", "phong 1", "Phòng 2", "Hội trường"])
VENUES = st.sampled_from([None, "Trung tâm", "trung tam", "UBND xã"])


@st.composite
def timetables(draw: st.DrawFn) -> list[Slot]:
    n = draw(st.integers(min_value=0, max_value=12))
    out = []
    for sid in range(1, n + 1):
        start, end = draw(TIMES), draw(TIMES)
        out.append(Slot(session_id=sid, course_id=draw(st.integers(1, 3)), course_code="K", on=date(2026, 12,
                        draw(st.integers(1, 2))), start=start, end=end,
                        lecturer_id=draw(st.one_of(st.none(), st.integers(1, 3))), lecturer_name=None,
                        venue=draw(VENUES), room=draw(ROOMS)))
    return out


def naive(slots: list[Slot]) -> set[tuple[str, frozenset[int]]]:
    from app.core.text import fold

    found = set()
    for x, y in itertools.combinations(slots, 2):
        if x.on != y.on or not (x.start < x.end and y.start < y.end and x.start < y.end and y.start < x.end):
            continue
        if x.lecturer_id is not None and x.lecturer_id == y.lecturer_id:
            found.add(("lecturer", frozenset({x.session_id, y.session_id})))
        if (fold(x.room or "") and fold(x.venue or "") and fold(x.room or "") == fold(y.room or "")
                and fold(x.venue or "") == fold(y.venue or "")):
            found.add(("room", frozenset({x.session_id, y.session_id})))
    return found


@settings(max_examples=300, deadline=None)
@given(timetables())
def test_find_conflicts_agrees_with_all_pairs(slots: list[Slot]) -> None:
    found = find_conflicts(slots)
    keys = [(c.kind, frozenset({c.a.session_id, c.b.session_id})) for c in found]
    assert len(keys) == len(set(keys))
    assert set(keys) == naive(slots)
    assert all(isinstance(c, Conflict) and (c.a.on, c.a.start) <= (c.b.on, c.b.start) for c in found)
    assert found == sorted(found, key=lambda c: (c.a.on, c.a.start, c.a.end, c.a.course_code, c.a.session_id,
                                                 c.b.on, c.b.start, c.b.end, c.b.course_code, c.b.session_id, c.kind))

