"""The results each enrolment carries for the reports (marked present, certified: app.enrolment.results) follow every
write of a mark, a certificate or a session, and the report figures read from them equal the figures worked out
straight from the marks and certificates (tests/reports/direct.py, the computation the reports used before)."""
from __future__ import annotations

import os
from datetime import datetime, time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, exists, select, text, update
from sqlalchemy.orm import Session

from app.attendance import service as attendance
from app.attendance.models import AttendanceMark
from app.auth.principal import Principal
from app.certificates import service as certificates
from app.certificates.models import Certificate
from app.courses import service as courses
from app.courses import sessions
from app.courses.calendar import VN
from app.db import make_engine
from app.enrolment import results
from app.enrolment import service as enrolment
from app.enrolment.models import Enrolment
from app.errors import DomainError
from app.reports import rules, service
from tests.attendance.conftest import course_with_class  # noqa: F401 - a fixture, shared
from tests.courses.factories import add_trainee, open_course
from tests.reports.direct import directly

SIGNER = {"organising_body": "Sở Văn hóa, Thể thao và Du lịch tỉnh Bắc Ninh", "signer_title": "GIÁM ĐỐC",
          "signer_name": "Nguyễn Văn Ký"}


def _add_sessions(db: Session, who: Principal, course) -> None:  # noqa: ANN001
    for part in ("morning", "afternoon"):
        sessions.add_session(db, who, course.id, sessions.SessionInput(
            session_date=course.start_date, part_of_day=part, start_time=None, end_time=None,
            module_ids=[course.modules[0].id], lecturer_id=None, room="Phòng 1", online_link=None))


@pytest.fixture
def classes(db, request):
    """The attendance tests' class (three officials of Tân Dĩnh) and a second course half a year later that two
    of them and a fourth official attend: both running, with their signer, two sessions each."""
    c = request.getfixturevalue("course_with_class")
    who = c["who"]
    second = open_course(db, who, capacity=10, title="Lớp thứ hai", starts_in_days=200)
    _add_sessions(db, who, second)
    first_trainees = [e.trainee_id for e in c["enrolments"]]
    fourth = add_trainee(db, who, 4, **{"Xã/phường": "Phường Bắc Giang"})
    seats2 = [enrolment.register(db, who, second.id, t) for t in (*first_trainees[:2], fourth.id)]
    out = []
    for course, seats in ((c["course"], c["enrolments"]), (second, seats2)):
        courses.update_course(db, who, course.id, SIGNER)
        course = courses.get_course(db, who, course.id)
        course.status = "running"  # it has started (the course life cycle is tested with the courses)
        out.append({"course": course, "sessions": [s.id for s in course.sessions], "seats": [e.id for e in seats]})
    db.flush()
    return {"who": who, "organiser": c["organiser"], "courses": out}


def stored(db: Session) -> dict[int, tuple[bool, bool]]:
    results.settle(db)
    return {i: (bool(m), bool(c)) for i, m, c in db.execute(
        select(Enrolment.id, Enrolment.marked_present, Enrolment.certified).order_by(Enrolment.id))}


def worked_out(db: Session) -> dict[int, tuple[bool, bool]]:
    marked = exists().where(AttendanceMark.enrolment_id == Enrolment.id,
                            AttendanceMark.status.in_(rules.ATTENDED_MARKS))
    certified = exists().where(Certificate.enrolment_id == Enrolment.id, Certificate.status == "valid")
    return {i: (bool(m), bool(c)) for i, m, c in db.execute(
        select(Enrolment.id, marked, certified).order_by(Enrolment.id))}


def flags(db: Session, enrolment_id: int) -> tuple[bool, bool]:
    return stored(db)[enrolment_id]


def assert_same_figures(db: Session, who: Principal, filters: list[service.Filters], course_ids=()) -> None:  # noqa: ANN001
    for f in filters:
        fast = service.dashboard(db, who, f)
        with directly():
            slow = service.dashboard(db, who, f)
        assert fast == slow, f
    everything = service.make_filters("")
    for course_id in course_ids:
        fast_course = service.course_report(db, who, course_id, everything)
        with directly():
            slow_course = service.course_report(db, who, course_id, everything)
        assert (fast_course.figures, fast_course.by_commune, fast_course.by_sex, fast_course.by_minority) == (
            slow_course.figures, slow_course.by_commune, slow_course.by_sex, slow_course.by_minority)


# --- random programmes through the services ----------------------------------------------------------------------

MARKS = ("present", "late", "absent", "excused")
course_n, session_n, seat_n = st.integers(0, 1), st.integers(0, 1), st.integers(0, 2)
OPERATION = st.one_of(
    st.tuples(st.just("mark"), course_n, session_n, seat_n, st.sampled_from(MARKS)),
    st.tuples(st.just("attend"), course_n, seat_n),  # present at every session
    st.tuples(st.just("unmark"), course_n, session_n, seat_n),
    st.tuples(st.just("results"), course_n),
    st.tuples(st.just("finish"), course_n),  # results recorded, the course finished, certificates issued
    st.tuples(st.just("reopen"), course_n),
    st.tuples(st.just("revoke"), course_n, seat_n, st.booleans()),
    st.tuples(st.just("withdraw"), course_n, seat_n),
    st.tuples(st.just("drop_session"), course_n, session_n),
)


def _apply(db: Session, who: Principal, classes: dict, op: tuple) -> None:
    kind, c = op[0], classes["courses"][op[1]]
    course = c["course"]
    if kind == "mark":
        if op[2] < len(c["sessions"]):
            attendance.record_marks(db, who, course.id, [{"session_id": c["sessions"][op[2]],
                                                          "enrolment_id": c["seats"][op[3]], "status": op[4]}])
    elif kind == "unmark":
        if op[2] < len(c["sessions"]):
            attendance.unmark(db, who, course.id, c["sessions"][op[2]], c["seats"][op[3]])
    elif kind == "attend":
        attendance.record_marks(db, who, course.id, [{"session_id": s, "enrolment_id": c["seats"][op[2]],
                                                      "status": "present"} for s in c["sessions"]])
    elif kind == "results":
        attendance.record_results(db, who, course.id)
    elif kind == "finish":
        attendance.record_results(db, who, course.id)
        course.status = "finished"
        db.flush()
        certificates.issue(db, who, course.id)
    elif kind == "reopen":
        course.status = "running"
        db.flush()
    elif kind == "revoke":
        held = db.scalar(select(Certificate.id).where(Certificate.enrolment_id == c["seats"][op[2]],
                                                      Certificate.status == "valid"))
        if held is not None:
            certificates.revoke(db, who, held, "Ghi sai họ tên", reissue=op[3])
    elif kind == "withdraw":
        enrolment.withdraw(db, who, c["seats"][op[2]], "Bận việc")
    elif kind == "drop_session" and op[2] < len(c["sessions"]):
        sessions.delete_session(db, who, course.id, c["sessions"][op[2]])
        c["sessions"] = [s for s in c["sessions"] if s != c["sessions"][op[2]]]


@example(program=[("attend", 0, 0), ("attend", 0, 1), ("finish", 0), ("revoke", 0, 0, True), ("revoke", 0, 1, False),
                  ("mark", 1, 0, 0, "late"), ("drop_session", 1, 0)])  # every kind of write, in one example
@settings(max_examples=int(os.environ.get("RESULTS_EXAMPLES", "20")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(program=st.lists(OPERATION, min_size=2, max_size=12))
def test_random_programmes_keep_the_results_and_the_figures_of_the_direct_computation(db, classes, program):
    who = classes["who"]
    example = db.begin_nested()
    kept = [dict(c, sessions=list(c["sessions"])) for c in classes["courses"]]
    try:
        state = {**classes, "courses": kept}
        for op in program:
            step = db.begin_nested()
            try:
                _apply(db, who, state, op)
                step.commit()
            except DomainError:  # refused (issue before the course finished, withdraw after it...): nothing written
                step.rollback()
            assert stored(db) == worked_out(db), op  # after each step: what one write leaves unseen shows here
        start = kept[0]["course"].start_date
        filters = [service.make_filters(""), service.make_filters(str(start.year)),
                   service.make_filters(f"{start.year}-H{1 if start.month <= 6 else 2}"),
                   service.make_filters("", place="24"), service.make_filters("", place="07432"),
                   service.make_filters("", curriculum="CT2")]
        assert_same_figures(db, Principal.system("t"), filters, [c["course"].id for c in kept])
    finally:
        example.rollback()


# --- each write path ---------------------------------------------------------------------------------------------


def test_a_mark_present_then_absent_then_undone(db, classes):
    who, c = classes["who"], classes["courses"][0]
    course, (s1, s2), (e1, e2, _) = c["course"], c["sessions"], c["seats"]
    attendance.record_marks(db, who, course.id, [{"session_id": s1, "enrolment_id": e1, "status": "late"},
                                                 {"session_id": s1, "enrolment_id": e2, "status": "excused"}])
    db.commit()  # the commit itself settles: read without asking
    assert db.scalar(select(Enrolment.marked_present).where(Enrolment.id == e1)) is True
    assert db.scalar(select(Enrolment.marked_present).where(Enrolment.id == e2)) is False  # excused is no attendance
    attendance.record_marks(db, who, course.id, [{"session_id": s1, "enrolment_id": e1, "status": "absent"}])
    assert flags(db, e1) == (False, False)
    attendance.record_marks(db, who, course.id, [{"session_id": s2, "enrolment_id": e1, "status": "present"}])
    assert flags(db, e1) == (True, False)
    assert attendance.unmark(db, who, course.id, s2, e1)
    assert flags(db, e1) == (False, False)
    assert service.dashboard(db, Principal.system("t"), service.make_filters("")).totals["attendances"] == 0


def test_a_check_in_marks_present(db, classes, make_user):
    who, c = classes["who"], classes["courses"][0]
    course = c["course"]
    user = make_user("trainee", unit="07432")
    course.status = "open"
    seat = enrolment.register(db, who, course.id, add_trainee(db, who, 20, user_id=user.id).id)
    course.status = "running"
    morning = c["sessions"][0]
    now = datetime.combine(course.start_date, time(7, 35), VN)
    code = attendance.current_code(db, who, course.id, morning, now=now)[0]
    trainee = Principal(user.id, user.username, "", "trainee", None, None)
    assert attendance.check_in(db, trainee, morning, code, now=now).mark.status == "present"
    assert flags(db, seat.id) == (True, False)
    assert_same_figures(db, Principal.system("t"), [service.make_filters("")], [course.id])


def test_results_recorded_a_certificate_issued_revoked_and_reissued(db, classes):
    who, c = classes["who"], classes["courses"][0]
    course, (s1, s2), (e1, e2, e3) = c["course"], c["sessions"], c["seats"]
    attendance.record_marks(db, who, course.id, [{"session_id": s, "enrolment_id": e, "status": "present"}
                                                 for s in (s1, s2) for e in (e1, e2)])
    attendance.record_results(db, who, course.id)
    course.status = "finished"
    db.flush()
    issued = certificates.issue(db, who, course.id).issued
    assert {cert.enrolment_id for cert in issued} == {e1, e2}
    assert (flags(db, e1), flags(db, e2), flags(db, e3)) == ((True, True), (True, True), (False, False))
    report = service.dashboard(db, Principal.system("t"), service.make_filters(""))
    assert (report.totals["attendances"], report.totals["completions"], report.totals["certificates"]) == (2, 2, 2)
    first = next(cert for cert in issued if cert.enrolment_id == e1)
    certificates.revoke(db, who, first.id, "Cấp nhầm người")
    assert flags(db, e1) == (True, False)
    second = next(cert for cert in issued if cert.enrolment_id == e2)
    _, replacement = certificates.revoke(db, who, second.id, "Ghi sai ngày sinh", reissue=True)
    assert replacement is not None and flags(db, e2) == (True, True)
    assert service.dashboard(db, Principal.system("t"), service.make_filters("")).totals["certificates"] == 1
    assert_same_figures(db, Principal.system("t"), [service.make_filters(""), service.make_filters("", place="24")],
                        [course.id])


def test_a_withdrawn_seat_and_a_completion_count_as_the_direct_computation_does(db, classes):
    who, c = classes["who"], classes["courses"][1]
    course, (s1, _), (e1, e2, e3) = c["course"], c["sessions"], c["seats"]
    attendance.record_marks(db, who, course.id, [{"session_id": s1, "enrolment_id": e, "status": "present"}
                                                 for e in (e1, e2)])
    enrolment.withdraw(db, who, e2, "Chuyển công tác")
    totals = service.course_report(db, Principal.system("t"), course.id, service.make_filters("")).figures
    assert (totals["enrolled"], totals["attendances"], totals["officials"]) == (2, 1, 1)  # e2 no longer holds a seat
    attendance.record_results(db, who, course.id)  # e1 attended one session of two: not completed; e3 none
    assert_same_figures(db, Principal.system("t"), [service.make_filters("")], [course.id])
    assert db.get(Enrolment, e3).status == "not_completed" and flags(db, e3) == (False, False)


def test_a_session_dropped_with_its_marks(db, classes):
    who, c = classes["who"], classes["courses"][0]
    course, (s1, s2), (e1, e2, _) = c["course"], c["sessions"], c["seats"]
    attendance.record_marks(db, who, course.id, [{"session_id": s1, "enrolment_id": e1, "status": "present"},
                                                 {"session_id": s2, "enrolment_id": e2, "status": "present"}])
    assert (flags(db, e1), flags(db, e2)) == ((True, False), (True, False))
    sessions.delete_session(db, who, course.id, s1)  # the database deletes its marks with it
    assert (flags(db, e1), flags(db, e2)) == ((False, False), (True, False))


def test_refresh_all_repairs_what_was_written_around_the_application(db, classes):
    who, c = classes["who"], classes["courses"][0]
    course, (s1, _), (e1, e2, _) = c["course"], c["sessions"], c["seats"]
    attendance.record_marks(db, who, course.id, [{"session_id": s1, "enrolment_id": e1, "status": "present"}])
    results.settle(db)
    db.connection().execute(update(Enrolment.__table__).where(Enrolment.__table__.c.id.in_([e1, e2]))
                            .values(marked_present=Enrolment.__table__.c.id == e2))  # both wrong, as a bulk load
    assert results.refresh_all(db) == 2
    assert stored(db) == worked_out(db)
    assert results.refresh_all(db) == 0


def test_the_migration_works_the_results_out_as_the_application_does(db, classes):
    import importlib.util
    from pathlib import Path

    path = next(Path("migrations/versions").glob("*_0016_aggregates_*.py"))
    spec = importlib.util.spec_from_file_location("aggregates_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    who, c = classes["who"], classes["courses"][0]
    course, (s1, s2), (e1, e2, e3) = c["course"], c["sessions"], c["seats"]
    attendance.record_marks(db, who, course.id, [{"session_id": s, "enrolment_id": e, "status": "present"}
                                                 for s in (s1, s2) for e in (e1, e2)])
    attendance.record_marks(db, who, course.id, [{"session_id": s1, "enrolment_id": e3, "status": "absent"}])
    attendance.record_results(db, who, course.id)
    course.status = "finished"
    db.flush()
    certificates.issue(db, who, course.id)
    expected = stored(db)
    assert expected[e1] == expected[e2] == (True, True) and expected[e3] == (False, False)
    table = Enrolment.__table__
    db.connection().execute(update(table).values(marked_present=False, certified=False))  # as the new columns start
    db.connection().execute(text(migration.BACKFILL))
    assert stored(db) == expected == worked_out(db)


def test_a_bulk_delete_of_marks_through_the_session_is_refused(db, classes):
    with pytest.raises(RuntimeError, match="results follow"):
        db.execute(delete(AttendanceMark).where(AttendanceMark.enrolment_id == classes["courses"][0]["seats"][0]))


def test_the_command_line_refresh(db, classes, monkeypatch):
    from contextlib import contextmanager

    from typer.testing import CliRunner

    from app import db as app_db
    from app.cli import app as cli

    e1 = classes["courses"][0]["seats"][0]
    db.connection().execute(update(Enrolment.__table__).where(Enrolment.__table__.c.id == e1)
                            .values(certified=True))  # written around the application

    @contextmanager
    def this_session():  # noqa: ANN202
        yield db

    monkeypatch.setattr(app_db, "write_session", this_session)
    out = CliRunner().invoke(cli, ["reports", "refresh"])
    assert out.exit_code == 0 and out.output.strip() == "1 enrolments corrected", out.output
    assert flags(db, e1) == (False, False)


# --- the national dataset ----------------------------------------------------------------------------------------


@pytest.mark.skipif(not os.environ.get("NANGLUC_NATIONAL_URL"), reason="needs the national dataset: "
                    "NANGLUC_NATIONAL_URL=<a database built by bench/reports.py --build>")
def test_the_national_dataset_gives_the_figures_of_the_direct_computation():
    engine = make_engine(os.environ["NANGLUC_NATIONAL_URL"])
    with Session(engine) as db:
        assert stored(db) == worked_out(db)
        year = str(datetime.now(VN).year - 1)
        filters = [service.make_filters(p, curriculum=cur, place=place)
                   for p, cur, place in (("", "", ""), (year, "", ""), (f"{year}-H1", "CT2", ""), ("", "", "01"),
                                         ("", "", "24"), (year, "", "24"), ("", "", "07432"))]
        assert_same_figures(db, Principal.system("t"), filters)
        db.rollback()
    engine.dispose()
