"""Self check-in with a rotating QR code: every refusal with its reason, rotation and expiry on a controlled clock,
an idempotent second scan, late after the course's minute, and the trainee's phone pages."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.attendance import rules, service
from app.attendance.models import AttendanceMark
from app.enrolment import service as enrolment
from tests.courses.factories import add_trainee
from tests.helpers import api_token, sign_in

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SECRET = b"k" * 32


# --- the code itself: pure functions, the clock is an argument ------------------------------------------------------

def test_a_code_rotates_every_period_and_expires_after_the_grace():
    t0 = 1_800_000_000.0 - (1_800_000_000.0 % rules.CODE_PERIOD)  # the start of a period
    code = rules.make_code(SECRET, 7, t0)
    assert rules.make_code(SECRET, 7, t0 + rules.CODE_PERIOD - 1) == code  # shown for the whole period
    assert rules.make_code(SECRET, 7, t0 + rules.CODE_PERIOD) != code  # then replaced
    for later in range(0, rules.CODE_PERIOD * (rules.CODE_GRACE_STEPS + 1), 5):
        assert rules.read_code(SECRET, code, 7, t0 + later) is None
    assert rules.read_code(SECRET, code, 7, t0 + rules.CODE_PERIOD * (rules.CODE_GRACE_STEPS + 1)) == \
        rules.CheckInRefusal.CODE_EXPIRED
    assert rules.read_code(SECRET, code, 7, t0 + 3600) == rules.CheckInRefusal.CODE_EXPIRED  # a photo sent home


def test_a_code_cannot_be_forged_or_moved_to_another_session():
    now = 1_800_000_000.0
    code = rules.make_code(SECRET, 7, now)
    session, step, mac = code.split(".")
    assert rules.read_code(SECRET, code, 8, now) == rules.CheckInRefusal.OTHER_SESSION
    assert rules.read_code(SECRET, f"8.{step}.{mac}", 8, now) == rules.CheckInRefusal.CODE_INVALID
    assert rules.read_code(SECRET, f"{session}.{int(step) + 40}.{mac}", 7, now) == rules.CheckInRefusal.CODE_INVALID
    assert rules.read_code(b"x" * 32, code, 7, now) == rules.CheckInRefusal.CODE_INVALID  # another server's key
    for junk in ("", "abc", "7..", "7.1", "-1.2.3", "1" * 40 + ".1.x"):
        assert rules.read_code(SECRET, junk, 7, now) == rules.CheckInRefusal.CODE_INVALID


def test_the_window_opens_before_the_start_marks_late_after_the_minute_and_closes_at_the_end():
    starts = datetime(2026, 12, 14, 7, 30, tzinfo=VN)
    w = rules.CheckInWindow(starts=starts, ends=datetime(2026, 12, 14, 11, 30, tzinfo=VN), late_after_minutes=15)
    at = lambda h, m: datetime(2026, 12, 14, h, m, tzinfo=VN)  # noqa: E731
    assert rules.check_in_status(w, at(6, 59), True) == rules.CheckInRefusal.NOT_OPEN_YET
    assert rules.check_in_status(w, at(7, 0), True) == rules.Mark.PRESENT
    assert rules.check_in_status(w, at(7, 45), True) == rules.Mark.PRESENT
    assert rules.check_in_status(w, at(7, 46), True) == rules.Mark.LATE
    assert rules.check_in_status(w, at(11, 31), True) == rules.CheckInRefusal.CLOSED
    assert rules.check_in_status(w, at(8, 0), False) == rules.CheckInRefusal.NOT_CONFIRMED


# --- through the service and the API, on both databases --------------------------------------------------------------

@pytest.fixture
def hall(db, make_user, course_with_class):
    """The morning session of the class, a confirmed trainee with an account, and one who is only waitlisted."""
    c = course_with_class
    course = c["course"]
    morning, afternoon = course.sessions
    user = make_user("trainee", unit="07432")
    t = add_trainee(db, c["who"], 20, user_id=user.id)
    e = enrolment.register(db, c["who"], course.id, t.id)
    assert e.status == "confirmed"
    course.capacity = 4
    waiting_user = make_user("trainee", unit="07432")
    w = enrolment.register(db, c["who"], course.id, add_trainee(db, c["who"], 21, user_id=waiting_user.id).id)
    assert w.status == "waitlisted"
    def at(hour: int, minute: int) -> datetime:
        return datetime.combine(course.start_date, time(hour, minute), VN)
    return {**c, "morning": morning, "afternoon": afternoon, "user": user, "enrolment": e,
            "waiting_user": waiting_user, "at": at}


def _check_in(client, user, session_id: int, code: str):  # noqa: ANN001
    h = {"Authorization": f"Bearer {api_token(client, user.username)}"}
    return client.post(f"/api/v1/sessions/{session_id}/check-in", headers=h, json={"code": code})


def test_each_refusal_comes_with_its_reason(db, hall):
    who, course, s = hall["who"], hall["course"], hall["morning"]
    trainee = service.Principal(hall["user"].id, hall["user"].username, "", "trainee", None, None)
    code_at = lambda when: service.current_code(db, who, course.id, s.id, now=when)[0]  # noqa: E731
    cases = [
        (code_at(hall["at"](7, 40)), s.id, hall["at"](7, 40) + timedelta(minutes=5), "code_expired"),
        (code_at(hall["at"](7, 40)), hall["afternoon"].id, hall["at"](7, 40), "code_other_session"),
        (code_at(hall["at"](7, 40))[:-2] + "zz", s.id, hall["at"](7, 40), "code_invalid"),
        (code_at(hall["at"](6, 0)), s.id, hall["at"](6, 0), "session_not_open"),
        (code_at(hall["at"](11, 45)), s.id, hall["at"](11, 45), "session_closed"),
    ]
    for code, session_id, now, expected in cases:
        with pytest.raises(service.CheckInRefused) as refused:
            service.check_in(db, trainee, session_id, code, now=now)
        assert refused.value.code == expected, expected
        assert refused.value.message == rules.REFUSAL_TEXT[expected]
    waiting = service.Principal(hall["waiting_user"].id, hall["waiting_user"].username, "", "trainee", None, None)
    with pytest.raises(service.CheckInRefused) as refused:
        service.check_in(db, waiting, s.id, code_at(hall["at"](7, 40)), now=hall["at"](7, 40))
    assert refused.value.code == "not_confirmed"
    assert db.scalars(select(AttendanceMark)).all() == []  # no refusal wrote anything


def test_a_scan_marks_present_then_answers_the_same_and_late_after_the_minute(db, hall):
    who, course = hall["who"], hall["course"]
    trainee = service.Principal(hall["user"].id, hall["user"].username, "", "trainee", None, None)
    now = hall["at"](7, 35)
    code = service.current_code(db, who, course.id, hall["morning"].id, now=now)[0]
    first = service.check_in(db, trainee, hall["morning"].id, code, now=now)
    assert (first.mark.status, first.mark.method, first.already) == ("present", "check_in", False)
    later = now + timedelta(seconds=20)
    again = service.check_in(db, trainee, hall["morning"].id, code, now=later)
    assert again.already and again.mark.id == first.mark.id and again.mark.status == "present"
    late_now = hall["at"](13, 50)  # the afternoon starts 13:30; 20 minutes in is past the 15-minute mark
    late_code = service.current_code(db, who, course.id, hall["afternoon"].id, now=late_now)[0]
    late = service.check_in(db, trainee, hall["afternoon"].id, late_code, now=late_now)
    assert late.mark.status == "late"
    assert len(db.scalars(select(AttendanceMark)).all()) == 2


def test_the_api_answers_refusals_as_structured_json(client, db, hall):
    code = service.current_code(db, hall["who"], hall["course"].id, hall["morning"].id)[0]
    # "now" is weeks before the session: the code is fresh, the session is not open yet
    r = _check_in(client, hall["user"], hall["morning"].id, code)
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "session_not_open" and "Chưa đến giờ" in body["detail"] and body["at"].startswith(
        str(hall["course"].start_date))
    forged = _check_in(client, hall["user"], hall["morning"].id, "1.2.3")
    assert forged.status_code == 409 and forged.json()["code"] == "code_invalid"


def test_the_trainer_screen_and_the_phone_pages(client, db, hall):
    c = hall
    assert sign_in(client, c["organiser"].username).status_code == 303
    screen = client.get(f"/courses/{c['course'].id}/sessions/{c['morning'].id}/check-in")
    assert screen.status_code == 200 and "<svg" in screen.text and 'hx-trigger="every 5s"' in screen.text
    code = screen.text.split('data-code="')[1].split('"')[0]
    client.cookies.clear()
    anonymous = client.get(f"/check-in/{code}", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    assert sign_in(client, c["user"].username).status_code == 303
    page = client.get(f"/check-in/{code}")  # the course is next week: the phone says so before any tap
    assert page.status_code == 409 and "Chưa đến giờ điểm danh" in page.text and c["course"].title in page.text
    assert "Xác nhận tôi có mặt" not in page.text
    csrf = client.cookies.get("nangluc_csrf")
    refused = client.post(f"/check-in/{code}", data={"csrf_token": csrf})
    assert refused.status_code == 409 and "Chưa đến giờ điểm danh" in refused.text
    assert db.scalars(select(AttendanceMark)).all() == []
    stale = client.get("/check-in/1.1.AAAAAAAAAAAAAAAA")
    assert stale.status_code == 409 and "không hợp lệ" in stale.text


# --- a scan survives signing in: judged at the moment of the scan ---------------------------------------------------


def test_a_scan_is_judged_at_its_moment_only_while_the_server_vouches_for_it():
    now = datetime(2026, 12, 3, 8, 0, tzinfo=VN)
    assert rules.judged_at(now, None) == now
    assert rules.judged_at(now, now - timedelta(minutes=9)) == now - timedelta(minutes=9)
    assert rules.judged_at(now, now - timedelta(minutes=rules.SCAN_KEEPS_MINUTES, seconds=1)) == now  # too old
    assert rules.judged_at(now, now + timedelta(hours=1)) == now  # a moment from the future is not believed


def test_a_trainee_who_signs_in_after_scanning_is_checked_in_as_of_the_scan(client, db, hall, monkeypatch):
    """Scanned at 07:40 while signed out; the sign-in takes ten minutes (the code has long rotated): still present,
    recorded at 07:40. The same path with a stale or forged code, or with another phone, checks no one in."""
    clock = {"now": hall["at"](7, 40)}
    monkeypatch.setattr(service, "utcnow", lambda: clock["now"])
    code = service.current_code(db, hall["who"], hall["course"].id, hall["morning"].id, now=clock["now"])[0]
    scanned = client.get(f"/check-in/{code}", follow_redirects=False)
    assert scanned.status_code == 303 and scanned.headers["location"] == f"/login?next=/check-in/{code}"
    assert "nangluc_scan" in client.cookies
    clock["now"] = hall["at"](7, 50)
    forwarded = client.cookies.get("nangluc_scan")
    client.cookies.delete("nangluc_scan")  # a friend at home with the forwarded link, without the scanning phone
    assert sign_in(client, hall["user"].username).status_code == 303
    refused = client.get(f"/check-in/{code}")
    assert refused.status_code == 409 and "hết hạn" in refused.text
    client.cookies.set("nangluc_scan", forwarded, path="/check-in/")  # the phone that scanned
    page = client.get(f"/check-in/{code}")
    assert page.status_code == 200 and "Xác nhận tôi có mặt" in page.text
    clock["now"] = hall["at"](7, 52)
    done = client.post(f"/check-in/{code}", data={"csrf_token": client.cookies.get("nangluc_csrf")})
    assert done.status_code == 200 and "Có mặt" in done.text and "07:40" in done.text
    mark = db.scalar(select(AttendanceMark))
    assert (mark.status, mark.method) == ("present", "check_in")


def test_the_vouched_scan_never_stands_in_for_the_projected_code(client, db, hall, monkeypatch):
    clock = {"now": hall["at"](7, 40)}
    monkeypatch.setattr(service, "utcnow", lambda: clock["now"])
    code = service.current_code(db, hall["who"], hall["course"].id, hall["morning"].id, now=clock["now"])[0]
    other = service.current_code(db, hall["who"], hall["course"].id, hall["morning"].id,
                                 now=clock["now"] - timedelta(minutes=5))[0]  # a photo of an old screen
    assert sign_in(client, hall["user"].username).status_code == 303
    csrf = client.cookies.get("nangluc_csrf")
    # a token for one code does not vouch for another, and a stale code is stale at the scan too
    client.cookies.set("nangluc_scan", service.scan_token(code, clock["now"]), path="/check-in/")
    assert client.post(f"/check-in/{other}", data={"csrf_token": csrf}).status_code == 409
    client.cookies.set("nangluc_scan", service.scan_token(other, clock["now"]), path="/check-in/")
    assert client.post(f"/check-in/{other}", data={"csrf_token": csrf}).status_code == 409
    # a token we did not sign, or one older than the time a scan is kept, counts for nothing
    clock["now"] = hall["at"](7, 50)
    client.cookies.set("nangluc_scan", service.scan_token(code, hall["at"](7, 40))[:-3] + "AAA", path="/check-in/")
    assert client.post(f"/check-in/{code}", data={"csrf_token": csrf}).status_code == 409
    clock["now"] = hall["at"](7, 40) + timedelta(minutes=rules.SCAN_KEEPS_MINUTES + 1)
    client.cookies.set("nangluc_scan", service.scan_token(code, hall["at"](7, 40)), path="/check-in/")
    assert client.post(f"/check-in/{code}", data={"csrf_token": csrf}).status_code == 409
    assert db.scalars(select(AttendanceMark)).all() == []
