"""A closed period's figures change only with a reason, and every late change shows beside the submitted report:
refused without one (409, nothing written, whichever service makes the write), recorded with it (who, when, what,
why, an audit event), listed on the submission's page and in the API, covered by the next amendment. A course of an
open period, or of another unit, asks for nothing. Both databases."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from sqlalchemy import event, func, select

from app.attendance import service as attendance
from app.attendance.models import AttendanceMark
from app.audit.models import AuditEvent
from app.auth.principal import Principal
from app.certificates import service as certificates
from app.certificates.models import Certificate
from app.courses import service as courses
from app.courses.models import BudgetLine
from app.db import LATE_ACTOR
from app.enrolment import service as enrolment
from app.enrolment.models import Enrolment
from app.errors import Conflict
from app.media import rules as media_rules
from app.media import service as media
from app.reports import late, rules, submissions
from app.reports.models import LateChange
from tests.attendance.conftest import course_with_class  # noqa: F401 - a fixture, shared
from tests.attendance.test_check_in import hall  # noqa: F401 - a fixture, shared
from tests.audit.test_every_route import trail  # noqa: F401 - a fixture, shared
from tests.certificates.test_issue import finished  # noqa: F401 - a fixture, shared
from tests.courses.factories import add_trainee, open_course, principal

REASON = "Bổ sung điểm danh giấy nộp muộn"


def test_the_rules():
    assert rules.given_reason("  quá   ngắn ") is None and rules.given_reason(None) is None
    assert rules.given_reason(" Bổ sung  điểm danh ") == "Bổ sung điểm danh"
    today = date(2026, 7, 1)
    assert rules.may_be_closed(date(2026, 6, 30), today) and not rules.may_be_closed(today, today)
    assert not rules.may_be_closed(None, today)
    h1 = rules.parse_period("2026-H1")
    assert rules.period_contains(h1, date(2026, 6, 30)) and not rules.period_contains(h1, date(2026, 7, 1))
    assert not rules.period_contains(h1, None)
    msg = rules.closed_message("2026-H1", "Tỉnh Bắc Ninh", "Trần Văn Chốt", date(2026, 7, 2), "khoá học CT2-1")
    assert all(w in msg for w in ("2026-H1", "Tỉnh Bắc Ninh", "Trần Văn Chốt", "02/07/2026", "CT2-1", "lý do"))


@pytest.fixture
def closed(db, finished):  # noqa: F811
    """The finished class moved to 2025 (its organiser: Bắc Ninh, its officials: Tân Dĩnh), and 2025 closed for
    Bắc Ninh."""
    course = finished["course"]
    course.start_date = course.end_date = date(2025, 11, 20)
    waiting = Enrolment(course_id=course.id, trainee_id=add_trainee(db, finished["who"], 40).id,
                        status="waitlisted", reasons=[])  # no seat: not in the figures
    db.add(waiting)
    db.flush()
    row = submissions.close_period(db, finished["who"], "2025")
    return {**finished, "submission": row, "waiting": waiting}


def _state(db, course_id):  # noqa: ANN001
    """Every row a report counts for the course, as plain values."""
    marks = db.execute(select(AttendanceMark.session_id, AttendanceMark.enrolment_id, AttendanceMark.status)
                       .join(Enrolment).where(Enrolment.course_id == course_id).order_by(AttendanceMark.id)).all()
    seats = db.execute(select(Enrolment.id, Enrolment.status, Enrolment.marked_present, Enrolment.certified)
                       .where(Enrolment.course_id == course_id).order_by(Enrolment.id)).all()
    certs = db.execute(select(Certificate.id, Certificate.status).where(Certificate.course_id == course_id)).all()
    return marks, seats, certs


def _refused(db, write):  # noqa: ANN001
    with pytest.raises(late.PeriodClosed) as e, db.begin_nested():
        write()
    return e.value


def test_writes_to_a_closed_period_are_refused_without_a_reason(db, closed):
    who, course, row = closed["who"], closed["course"], closed["submission"]
    before = _state(db, course.id)
    third = closed["enrolments"][2]
    sessions = [s.id for s in attendance.grid(db, who, course.id).sessions]
    writes = {
        "roll call": lambda: attendance.record_marks(db, who, course.id, [
            {"session_id": s, "enrolment_id": third.id, "status": "present"} for s in sessions]),
        "certificates": lambda: certificates.issue(db, who, course.id),
        "decision": lambda: enrolment.decide(db, who, closed["waiting"].id, "confirmed", "Nhận bổ sung vào lớp"),
        "course status": lambda: courses.transition(db, who, course.id, "closed"),
        "course dates": lambda: courses.update_course(db, who, course.id, {"start_date": date(2025, 11, 21),
                                                                           "end_date": date(2025, 11, 21)}),
        "moved out": lambda: courses.update_course(db, who, course.id, {"start_date": date(2026, 1, 5),
                                                                        "end_date": date(2026, 1, 5)}),
    }
    for name, write in writes.items():
        err = _refused(db, write)
        assert (err.code, err.status) == ("period_closed", 409), name
        assert "2025" in err.message and "Tỉnh Bắc Ninh" in err.message and row.submitted_by_label in err.message
        assert "lý do" in err.message and course.code in err.message
    db.expire_all()
    assert _state(db, course.id) == before
    assert submissions.detail(db, who, row.id).pending == []
    assert db.scalar(select(func.count()).select_from(LateChange)) == 0


def test_with_a_reason_it_is_written_listed_and_covered_by_the_next_amendment(db, closed):
    who, course, row = closed["who"], closed["course"], closed["submission"]
    third = closed["enrolments"][2]
    sessions = [s.id for s in attendance.grid(db, who, course.id).sessions]
    late.allow(db, who, "ngắn")  # too short: still refused
    _refused(db, lambda: certificates.issue(db, who, course.id))
    late.allow(db, who, REASON)
    attendance.record_marks(db, who, course.id, [{"session_id": s, "enrolment_id": third.id, "status": "present"}
                                                 for s in sessions])
    attendance.record_results(db, who, course.id)
    certificates.issue(db, who, course.id)
    d = submissions.detail(db, who, row.id)
    assert ("indicators.certificates", 0, 4) in d.pending
    kinds = {(c.entity, c.action) for c in d.late_changes}
    assert {("attendance_mark", "insert"), ("certificate", "insert"), ("enrolment", "update")} <= kinds
    assert {c.reason for c in d.late_changes} == {REASON} and d.uncovered == d.late_changes
    marks = [c for c in d.late_changes if c.entity == "attendance_mark"]
    assert [c.count for c in marks] == [2]  # one line for the transaction, however the service flushed
    assert [c.count for c in d.late_changes if c.entity == "certificate"] == [4]
    assert {(c.course_id, c.course_label, c.changed_by_id) for c in marks} == {(course.id, course.code, who.user_id)}
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "report.late_change")).all()
    assert events and all(e.note == REASON and e.entity_id == str(row.id) for e in events)
    amendment = submissions.amend(db, who, row.id, "Bổ sung điểm danh và giấy chứng nhận")
    d = submissions.detail(db, who, row.id)
    assert d.uncovered == [] and d.covered_by(amendment.id) == d.late_changes


def test_seats_put_a_course_in_a_communes_closed_period(db, finished, make_user):  # noqa: F811
    """A commune's report counts its officials on a province's course: the course is in the commune's period."""
    course = finished["course"]
    course.start_date = course.end_date = date(2025, 11, 20)
    db.flush()
    admin = principal(make_user("admin"))
    row = submissions.close_period(db, admin, "2025", "07432")  # Tân Dĩnh, where the officials are
    assert row.figures["indicators"]["officials_trained"] > 0
    err = _refused(db, lambda: certificates.issue(db, finished["who"], course.id))
    assert row.scope_name in err.message


def test_another_units_closed_period_asks_for_nothing(db, finished, make_user):  # noqa: F811
    course = finished["course"]
    course.start_date = course.end_date = date(2025, 11, 20)
    db.flush()
    submissions.close_period(db, principal(make_user("admin")), "2025", "01")  # Hà Nội's 2025, not Bắc Ninh's
    certificates.issue(db, finished["who"], course.id)
    courses.transition(db, finished["who"], course.id, "closed")
    assert db.scalar(select(func.count()).select_from(LateChange)) == 0


def test_an_open_periods_course_asks_for_nothing_until_it_moves_in(db, closed):
    who = closed["who"]
    fresh = open_course(db, who, capacity=5, title="Lớp mới", starts_in_days=10)
    assert late.closed_for_course(db, fresh) == [] and len(late.closed_for_course(db, closed["course"])) == 1
    e = enrolment.register(db, who, fresh.id, closed["holder"].id)
    enrolment.withdraw(db, who, e.id, "Bận công tác đột xuất")
    later = date.today() + timedelta(days=20)
    courses.update_course(db, who, fresh.id, {"start_date": later, "end_date": later})
    courses.update_course(db, who, closed["course"].id, {"title": "Lớp điểm danh (đổi tên)"})  # no figure
    assert db.scalar(select(func.count()).select_from(LateChange)) == 0
    # an open course counts nowhere (nor does a draft, while a past course is being recorded): dates are free
    courses.update_course(db, who, fresh.id, {"start_date": date(2025, 12, 1), "end_date": date(2025, 12, 1)})
    assert db.scalar(select(func.count()).select_from(LateChange)) == 0
    # a course held in an open period (2026), moved into Bắc Ninh's closed 2025: refused without a reason
    fresh.start_date = fresh.end_date = date(2026, 3, 2)
    db.flush()
    fresh.status = "finished"
    db.flush()
    assert db.scalar(select(func.count()).select_from(LateChange)) == 0
    err = _refused(db, lambda: courses.update_course(db, who, fresh.id, {"start_date": date(2025, 12, 1),
                                                                         "end_date": date(2025, 12, 1)}))
    assert err.code == "period_closed" and fresh.code in err.message


def test_the_api_and_the_pages(trail, db, closed):  # noqa: F811
    org = trail.person(closed["organiser"].username)
    course, row = closed["course"], closed["submission"]
    third = closed["enrolments"][2]
    sessions = [s.id for s in attendance.grid(db, closed["who"], course.id).sessions]
    body = {"marks": [{"session_id": s, "enrolment_id": third.id, "status": "present"} for s in sessions]}
    before = _state(db, course.id)
    # the course's pages say the period is closed and ask for the reason
    for tab in ("attendance", "certificates", "enrolments", "edit", f"sessions/{sessions[0]}/roll-call"):
        html = org.get(f"/courses/{course.id}/{tab}").text
        assert 'id="late-banner"' in html and "2025" in html and 'data-late-reason' in html, tab
    refused = org.client.post(f"/api/v1/courses/{course.id}/attendance", json=body, headers=org.bearer)
    assert refused.status_code == 409 and refused.json()["code"] == "period_closed"
    assert "2025" in refused.json()["detail"]
    # a page form: the Vietnamese refusal, nothing written
    csrf = org.client.cookies.get("nangluc_csrf")
    page = org.client.post(f"/courses/{course.id}/certificates", data={"csrf_token": csrf}, follow_redirects=False)
    assert page.status_code in (303, 409)
    shown = org.client.get(page.headers["location"]).text if page.status_code == 303 else page.text
    assert "đã chốt và nộp" in shown
    db.expire_all()
    assert _state(db, course.id) == before
    # with the reason: one header, percent-encoded UTF-8
    done = org.client.post(f"/api/v1/courses/{course.id}/attendance", json=body,
                           headers={**org.bearer, "X-Late-Reason": quote(REASON)})
    assert done.status_code == 200 and done.json()["changed"] == 2
    # a form's late_reason field
    org.page("/courses/{course_id}/certificates", course_id=course.id, action="certificate.issue",
             entity="certificate", data={"late_reason": "Cấp giấy chứng nhận sau khi nộp"})
    data = org.get(f"/api/v1/reports/submissions/{row.id}", api=True).json()
    reasons = {(c["entity"], c["reason"]) for c in data["late_changes"]}
    assert ("attendance_mark", REASON) in reasons and ("certificate", "Cấp giấy chứng nhận sau khi nộp") in reasons
    assert all(c["amendment"] is None and c["changed_by"] for c in data["late_changes"])
    html = org.get(f"/reports/submissions/{row.id}").text
    assert 'id="late-changes"' in html and REASON in html and course.code in html
    org.api("POST", "/api/v1/reports/submissions/{submission_id}/amendments", submission_id=row.id,
            action="report.amend", entity="report_submission", status=201,
            json={"reason": "Bổ sung điểm danh và giấy chứng nhận"})
    data = org.get(f"/api/v1/reports/submissions/{row.id}", api=True).json()
    assert sorted(data["amendments"][0]["late_changes"]) == sorted(c["id"] for c in data["late_changes"])
    html = org.get(f"/reports/submissions/{row.id}").text
    assert 'id="covered-1"' in html and 'id="late-changes"' not in html


def test_a_trainees_own_check_in_is_not_refused_but_listed(db, hall):  # noqa: F811
    """The trainee is in the room of a course that began in a closed period: the scan counts, and shows as a late
    change with its automatic reason for the organiser to amend."""
    who, course = hall["who"], hall["course"]
    course.start_date = course.end_date = date(2025, 11, 20)
    course.status = "running"
    for s in (hall["morning"], hall["afternoon"]):
        s.session_date = course.start_date
    db.flush()
    row = submissions.close_period(db, who, "2025")
    trainee = Principal(hall["user"].id, hall["user"].username, "", "trainee", None, None)
    when = hall["at"](7, 40)
    code = attendance.current_code(db, who, course.id, hall["morning"].id, now=when)[0]
    db.info[LATE_ACTOR] = trainee  # as a request's session carries its caller (app.db.get_db), with no reason
    done = attendance.check_in(db, trainee, hall["morning"].id, code, now=when)
    assert done.mark.status == "present" and not done.already
    [change] = submissions.detail(db, who, row.id).late_changes
    assert (change.entity, change.action, change.reason, change.changed_by_id) == (
        "attendance_mark", "insert", rules.SELF_CHECK_IN_REASON, trainee.user_id)


def test_registering_for_a_course_that_has_not_started_reads_no_closed_period(db, closed):
    """The registration path pays nothing: a course that starts today or later lies in no closed period."""
    fresh = open_course(db, closed["who"], capacity=5, title="Lớp mới", starts_in_days=10)
    late.forget(db)
    seen: list[str] = []

    def statement(_conn, _cursor, sql, *_):  # noqa: ANN001, ANN202
        seen.append(sql)

    conn = db.connection()
    event.listen(conn, "before_cursor_execute", statement)
    try:
        enrolment.register(db, closed["who"], fresh.id, closed["holder"].id)
        db.flush()
    finally:
        event.remove(conn, "before_cursor_execute", statement)
    assert seen and not [s for s in seen if "report_submission" in s]
    assert not [s for s in seen if s.startswith("SELECT course.id, course.code, course.start_date")]  # no look-up
    # an old course's write reads them once for the transaction
    late.allow(db, closed["who"], REASON)
    seen.clear()
    event.listen(conn, "before_cursor_execute", statement)
    try:
        certificates.issue(db, closed["who"], closed["course"].id)
    finally:
        event.remove(conn, "before_cursor_execute", statement)
    assert len([s for s in seen if "FROM report_submission" in s]) == 1


def test_budget_lines_and_media_products_of_a_closed_period(db, programme, make_user):
    """The known programme (tests/reports/conftest.py): Bắc Ninh closes 2026-H1; its course C1's budget and the
    radio programme of Tân Dĩnh count in it, Hà Nội's article does not."""
    admin = principal(make_user("admin"))
    row = submissions.close_period(db, admin, "2026-H1", "24")
    c1 = programme["c"][0]
    radio, article = programme["media"]
    line = db.scalar(select(BudgetLine).where(BudgetLine.course_id == c1.id).limit(1))

    def spend():
        line.actual_amount = (line.actual_amount or 0) + 1000
        db.flush()

    assert "“Gương sáng" in _refused(db, lambda: media.delete_media(db, admin, radio.id)).message
    more = media_rules.MediaIn(  # the same product, only its budget line changed (a new line, no id before flush)
        kind="radio_programme", title=radio.title, producer_kind="commune_radio",
        producer_name="Đài truyền thanh xã Tân Dĩnh", produced_on=date(2026, 2, 1), published_on=date(2026, 2, 3),
        channel="commune_radio", topics=("exemplary_people", "poverty_models"), rebroadcast_count=3,
        budget_lines=(media_rules.BudgetIn("production", Decimal(2_000_000), "local", Decimal(1_900_000)),))
    _refused(db, lambda: media.update_media(db, admin, radio.id, more, "07432"))
    _refused(db, spend)
    media.delete_media(db, admin, article.id)  # Hà Nội's: nothing closed
    late.allow(db, admin, "Bổ sung chứng từ chi sau khi nộp")
    spend()
    media.delete_media(db, admin, radio.id)
    entities = {(c.entity, c.course_label) for c in submissions.detail(db, admin, row.id).late_changes}
    assert entities == {("budget_line", c1.code), ("media_product", radio.title)}


def test_a_late_change_that_leaves_the_figures_is_still_answered_by_an_amendment(db, closed):
    who, course, row = closed["who"], closed["course"], closed["submission"]
    late.allow(db, who, "Đóng hồ sơ khoá học sau khi nộp báo cáo")
    courses.transition(db, who, course.id, "closed")  # both count as held: the figures stay
    d = submissions.detail(db, who, row.id)
    assert d.pending == [] and [(c.entity, c.fields) for c in d.uncovered] == [("course", ["status"])]
    seen = [c.id for c in d.uncovered]
    amendment = submissions.amend(db, who, row.id, "Đã xem thay đổi trạng thái khoá học")
    assert [c.id for c in submissions.detail(db, who, row.id).covered_by(amendment.id)] == seen
    with pytest.raises(Conflict):  # nothing changed and nothing left to answer
        submissions.amend(db, who, row.id, "Không có gì thêm để điều chỉnh")
