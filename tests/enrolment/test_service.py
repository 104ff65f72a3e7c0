"""Enrolment through the API: eligibility with reasons, first come within priority, waitlist, promotion, review."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.principal import Principal
from app.courses import service as courses
from app.curricula import service as curricula
from app.db import utcnow
from app.enrolment import service
from app.enrolment.models import Enrolment, EnrolmentFact
from app.notify.models import Notification
from tests.courses.factories import add_trainee, open_course, principal
from tests.helpers import api_token

_p = principal


@pytest.fixture
def world(db, make_user):
    """An open CT2 course in Bắc Ninh with 2 seats, and a factory for trainees with accounts."""
    curricula.sync(db, Principal.system("t"))
    organiser = make_user("organiser", unit="24")
    who = _p(organiser)
    course = open_course(db, who, capacity=2)
    counter = iter(range(1, 10_000))

    def trainee(**overrides):
        user = make_user("trainee", unit="07432")
        return user, add_trainee(db, who, next(counter), user_id=user.id, **overrides)

    return {"who": who, "organiser": organiser, "course": course, "trainee": trainee}


PROPAGANDIST = {"Chức danh": "Cán bộ tuyên giáo Đảng ủy", "Loại tổ chức": "Đảng ủy xã",
                "Phụ trách đài truyền thanh": "Không"}


def test_first_come_fills_seats_then_waitlists_by_priority_and_promotes(db, world):
    course = world["course"]
    users = [world["trainee"](**PROPAGANDIST) for _ in range(3)]
    first, second, third = (service.register(db, _p(u), course.id) for u, _ in users)
    assert [first.status, second.status, third.status] == ["confirmed", "confirmed", "waitlisted"]
    radio_user, _ = world["trainee"]()  # a culture-social official in charge of the radio: priority 1
    radio = service.register(db, _p(radio_user), course.id)
    assert radio.status == "waitlisted" and radio.waitlist_position == 1  # ahead of the earlier propagandist
    assert db.get(Enrolment, third.id).waitlist_position == 2
    assert any("Ưu tiên 1" in r["vi"] for r in radio.reasons)
    service.withdraw(db, _p(users[0][0]), first.id)
    assert db.get(Enrolment, radio.id).status == "confirmed"
    assert db.get(Enrolment, third.id).waitlist_position == 1
    told = db.scalars(select(Notification.subject).where(Notification.user_id == radio_user.id)).all()
    assert any("Đã xác nhận" in s for s in told)


def test_registering_twice_returns_the_same_enrolment(client, db, world):
    user, _ = world["trainee"]()
    h = {"Authorization": f"Bearer {api_token(client, user.username)}"}
    first = client.post(f"/api/v1/courses/{world['course'].id}/enrolments", headers=h, json={})
    again = client.post(f"/api/v1/courses/{world['course'].id}/enrolments", headers=h, json={})
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]


def test_not_eligible_is_told_why(client, db, world):
    reporter, _ = world["trainee"](**{"Chức danh": "Phóng viên", "Loại tổ chức": "Cơ quan báo chí",
                                      "Phụ trách đài truyền thanh": "Không"})
    h = {"Authorization": f"Bearer {api_token(client, reporter.username)}"}
    no = client.post(f"/api/v1/courses/{world['course'].id}/enrolments", headers=h, json={})
    assert no.status_code == 409 and no.json()["code"] == "not_eligible"
    assert any("CT2" in r["vi"] for r in no.json()["reasons"])  # the curriculum is not for the press
    courses.set_places(db, world["who"], world["course"].id, ["07210"])  # only Phường Bắc Giang now
    official, _ = world["trainee"]()  # from Xã Tân Dĩnh
    h2 = {"Authorization": f"Bearer {api_token(client, official.username)}"}
    elsewhere = client.post(f"/api/v1/courses/{world['course'].id}/enrolments", headers=h2, json={})
    assert elsewhere.status_code == 409
    assert any(r["code"] for r in elsewhere.json()["reasons"])
    assert client.get(f"/api/v1/courses/{world['course'].id}/enrolments",
                      headers={"Authorization": f"Bearer {api_token(client, world['organiser'].username)}"}
                      ).json()["total"] == 0


def test_review_mode_allocates_best_ranked_after_registration_closes(db, world):
    course = world["course"]
    course.allocation_mode = "review"
    db.flush()
    people_ = [world["trainee"](**PROPAGANDIST), world["trainee"](), world["trainee"](**PROPAGANDIST),
               world["trainee"]()]
    enrolments = [service.register(db, _p(u), course.id) for u, _ in people_]
    assert {e.status for e in enrolments} == {"pending"}
    with pytest.raises(Exception, match="Chưa hết hạn đăng ký"):
        service.allocate(db, world["who"], course.id)
    course.registration_closes = utcnow().date() - timedelta(days=1)
    db.flush()
    service.allocate(db, world["who"], course.id)
    statuses = [db.get(Enrolment, e.id).status for e in enrolments]
    assert statuses == ["waitlisted", "confirmed", "waitlisted", "confirmed"]  # the two radio officials win
    assert [db.get(Enrolment, e.id).waitlist_position for e in (enrolments[0], enrolments[2])] == [1, 2]


def test_rejecting_needs_a_reason_and_going_out_of_order_too(db, world):
    course = world["course"]
    a, b, c = (world["trainee"](**PROPAGANDIST) for _ in range(3))
    ea, eb, ec = (service.register(db, _p(u), course.id) for u, _ in (a, b, c))
    with pytest.raises(Exception, match="lý do"):
        service.decide(db, world["who"], ea.id, "rejected")
    service.decide(db, world["who"], ea.id, "rejected", "Không đúng đối tượng của xã")
    assert db.get(Enrolment, ec.id).status == "confirmed"  # promoted into the freed seat
    assert db.get(Enrolment, eb.id).status == "confirmed"


def test_organiser_nominates_a_list_all_or_nothing(client, db, world):
    ok1, t1 = world["trainee"]()
    ok2, t2 = world["trainee"]()
    bad, t3 = world["trainee"](**{"Chức danh": "Phóng viên", "Loại tổ chức": "Cơ quan báo chí",
                                  "Phụ trách đài truyền thanh": "Không"})
    h = {"Authorization": f"Bearer {api_token(client, world['organiser'].username)}"}
    refused = client.post(f"/api/v1/courses/{world['course'].id}/enrolments/bulk", headers=h,
                          json={"trainee_ids": [t1.id, t2.id, t3.id]})
    assert refused.status_code == 409 and t3.full_name in refused.json()["detail"]
    assert client.get(f"/api/v1/courses/{world['course'].id}/enrolments", headers=h).json()["total"] == 0
    done = client.post(f"/api/v1/courses/{world['course'].id}/enrolments/bulk", headers=h,
                       json={"trainee_ids": [t1.id, t2.id]})
    assert done.status_code == 201 and [e["status"] for e in done.json()] == ["confirmed", "confirmed"]


def test_confirmed_trainee_gets_the_course_in_their_calendar_feed(client, db, world):
    from icalendar import Calendar

    from app.courses import sessions
    from tests.helpers import sign_in

    course = world["course"]
    sessions.add_session(db, world["who"], course.id, sessions.SessionInput(
        session_date=course.start_date, part_of_day="morning", start_time=None, end_time=None,
        module_ids=[course.modules[0].id], lecturer_id=None, room="Phòng 1", online_link=None))
    user, _ = world["trainee"]()
    service.register(db, _p(user), course.id)
    sign_in(client, user.username)
    token = client.get("/calendar/links").text.split("/ical/")[1].split("/")[0]
    feed = client.get(f"/ical/{token}/my-courses.ics")
    events = list(Calendar.from_ical(feed.content).walk("VEVENT"))
    assert len(events) == 1 and course.code in str(events[0]["SUMMARY"])
    assert "Phòng 1" in str(events[0]["LOCATION"])


def test_reserved_seats_for_a_commune(client, db, world):
    h = {"Authorization": f"Bearer {api_token(client, world['organiser'].username)}"}
    course = world["course"]
    too_many = client.patch(f"/api/v1/courses/{course.id}", headers=h, json={"quotas": {"07432": 3}})
    assert too_many.status_code == 422 and too_many.json()["field"] == "quotas"
    ok = client.patch(f"/api/v1/courses/{course.id}", headers=h, json={"quotas": {"07210": 1}})
    assert ok.status_code == 200 and ok.json()["quotas"] == {"07210": 1}
    # Two officials of Tân Dĩnh: one general seat, the other seat is held for Phường Bắc Giang.
    a, _ = world["trainee"]()
    b, _ = world["trainee"]()
    first = service.register(db, _p(a), course.id)
    second = service.register(db, _p(b), course.id)
    assert (first.status, second.status) == ("confirmed", "waitlisted")


def test_a_change_of_places_or_quotas_counts_from_the_next_registration(db, world):
    """What a registration reads about the course besides its row (places, quotas, the curriculum's groups) is kept
    per process by the course row's version (service._reference): each change of places or quotas must be seen by
    the very next registration, though the course was read for one a moment before."""
    who, course = world["who"], world["course"]
    a, _ = world["trainee"]()
    assert service.register(db, _p(a), course.id).status == "confirmed"  # Bắc Ninh's places, read and kept
    courses.set_places(db, who, course.id, ["07210"])  # Phường Bắc Giang only: Tân Dĩnh is no longer inside
    b, _ = world["trainee"]()
    with pytest.raises(service.NotEligible) as refused:
        service.register(db, _p(b), course.id)
    assert any(r.code == "outside_places" for r in refused.value.reasons), refused.value.reasons
    courses.set_places(db, who, course.id, ["24"])
    courses.set_quotas(db, who, course.id, {"07210": 1})  # the last seat held for Phường Bắc Giang
    c, _ = world["trainee"]()
    assert service.register(db, _p(c), course.id).status == "waitlisted"
    courses.set_quotas(db, who, course.id, {})
    d, _ = world["trainee"]()
    assert service.register(db, _p(d), course.id).status == "confirmed"


def test_a_registration_records_the_priority_it_was_given_among_its_facts(client, db, world):
    """The facts as at training time carry the priority rank decided for the registration (they are written before
    the seat decision, on PostgreSQL in the round trip that takes the seat lock), for each way of registering."""
    course = world["course"]
    radio_user, _ = world["trainee"]()
    other_user, other = world["trainee"](**PROPAGANDIST)
    pressed = client.post(f"/api/v1/courses/{course.id}/enrolments", json={},
                          headers={"Authorization": f"Bearer {api_token(client, radio_user.username)}"})
    assert pressed.status_code == 201, pressed.text
    mine = db.get(Enrolment, pressed.json()["id"], populate_existing=True)
    nominated = service.register(db, world["who"], course.id, other.id)
    for e in (mine, nominated):
        fact = db.get(EnrolmentFact, e.id, populate_existing=True)
        assert fact.priority_rank == e.priority_rank and fact.priority_rank > 0
    assert mine.priority_rank < nominated.priority_rank  # the radio official ranks first


def test_an_official_of_a_former_commune_registers_on_their_own_press(client, db, world):
    """Xã Đại Lâm (merged into Tân Dĩnh in 2025) lies inside Bắc Ninh's places through its successor: the person's
    own press (the API's pipelined path, with the course's places kept per process) confirms them, and their facts
    keep the former commune they are registered at."""
    user, former = world["trainee"](**{"Xã/phường": "old:07435"})
    assert former.unit.era == "former"
    pressed = client.post(f"/api/v1/courses/{world['course'].id}/enrolments", json={},
                          headers={"Authorization": f"Bearer {api_token(client, user.username)}"})
    assert pressed.status_code == 201 and pressed.json()["status"] == "confirmed", pressed.text
    assert db.get(EnrolmentFact, pressed.json()["id"], populate_existing=True).unit_id == former.unit_id


def test_e_mail_is_sent_only_after_the_commit(db, tmp_path, monkeypatch):
    from app.config import get_settings
    from app.notify.service import OUTBOX_KEY, notify

    monkeypatch.setattr(get_settings(), "data_dir", tmp_path)
    outbox = tmp_path / "outbox.log"
    notify(db, None, "CT2-2026-24-001: Đã xác nhận", "Lớp thử", email="nhung@example.vn")
    assert db.info.get(OUTBOX_KEY) and not outbox.exists()  # queued while the change is still open
    db.rollback()  # the change is abandoned: nothing may be sent
    assert not outbox.exists() and OUTBOX_KEY not in db.info
    notify(db, None, "CT2-2026-24-001: Đã xác nhận", "Lớp thử", email="nhung@example.vn")
    db.commit()
    assert "nhung@example.vn" in outbox.read_text(encoding="utf-8")
