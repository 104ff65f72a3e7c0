"""The waitlist as a trainee and an organiser meet it: a withdrawal taken back while registration is open goes to
where anyone registering now would go, and more seats move the waitlist up in its order."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.principal import Principal
from app.curricula import service as curricula
from app.db import utcnow
from app.enrolment import rules, service
from app.enrolment.models import Enrolment
from tests.courses.factories import add_trainee, open_course, principal
from tests.helpers import api_token, sign_in

PROPAGANDIST = {"Chức danh": "Cán bộ tuyên giáo Đảng ủy", "Loại tổ chức": "Đảng ủy xã",
                "Phụ trách đài truyền thanh": "Không"}


def _world(db, make_user, seats: int):  # noqa: ANN001, ANN202
    curricula.sync(db, Principal.system("t"))
    organiser = make_user("organiser", unit="24")
    course = open_course(db, principal(organiser), capacity=seats)
    counter = iter(range(1, 1000))

    def trainee(**overrides):  # noqa: ANN003, ANN202
        user = make_user("trainee", unit="07432")
        add_trainee(db, principal(organiser), next(counter), user_id=user.id, **overrides)
        return user

    return organiser, course, trainee


def _state(db, e: Enrolment) -> tuple[str, int | None]:  # noqa: ANN001
    db.expire_all()
    fresh = db.get(Enrolment, e.id)
    return fresh.status, fresh.waitlist_position


def test_a_withdrawal_taken_back_while_registration_is_open_goes_to_the_end_of_the_queue(client, db, make_user):
    organiser, course, trainee = _world(db, make_user, seats=2)
    a, b, c, d = (trainee(**PROPAGANDIST) for _ in range(4))  # the same priority: served in order of registration
    ea, eb, ec, ed = (service.register(db, principal(u), course.id) for u in (a, b, c, d))
    assert [_state(db, e) for e in (ea, eb, ec, ed)] == [("confirmed", None), ("confirmed", None),
                                                        ("waitlisted", 1), ("waitlisted", 2)]
    service.withdraw(db, principal(a), ea.id)
    assert [_state(db, e) for e in (ec, ed)] == [("confirmed", None), ("waitlisted", 1)]  # C took A's seat

    sign_in(client, a.username)
    page = client.get("/my-courses")
    assert f'id="register-again-{course.id}"' in page.text and "Đăng ký lại" in page.text
    again = client.post(f"/courses/{course.id}/register", data={"csrf_token": client.cookies["nangluc_csrf"]},
                        follow_redirects=False)
    assert again.status_code == 303
    # Registered again now: behind D, who registered before A came back, not in A's old seat.
    assert _state(db, ea) == ("waitlisted", 2) and _state(db, ed) == ("waitlisted", 1)
    assert "vị trí 2" in client.get(again.headers["location"]).text
    events = db.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "enrolment",
                                                        AuditEvent.entity_id == str(ea.id))).all()
    assert events.count("enrolment.register") == 2 and "enrolment.withdraw" in events


def test_no_taking_back_after_registration_closes(client, db, make_user):
    organiser, course, trainee = _world(db, make_user, seats=2)
    a = trainee()
    ea = service.register(db, principal(a), course.id)
    service.withdraw(db, principal(a), ea.id)
    course.registration_closes = utcnow().date() - timedelta(days=1)
    db.flush()
    sign_in(client, a.username)
    assert f'id="register-again-{course.id}"' not in client.get("/my-courses").text
    refused = client.post(f"/courses/{course.id}/register", data={"csrf_token": client.cookies["nangluc_csrf"]},
                        follow_redirects=False)
    assert "Đã hết hạn đăng ký" in client.get(refused.headers["location"]).text
    assert _state(db, ea) == ("withdrawn", None)


def test_more_seats_move_the_waitlist_up_in_its_order(client, db, make_user):
    organiser, course, trainee = _world(db, make_user, seats=2)
    people = [trainee(**PROPAGANDIST) for _ in range(4)] + [trainee()]  # the last: radio official, priority 1
    rows = [service.register(db, principal(u), course.id) for u in people]
    assert [_state(db, e)[1] for e in rows[2:]] == [2, 3, 1]  # the radio official heads the waitlist
    h = {"Authorization": f"Bearer {api_token(client, organiser.username)}"}
    assert client.patch(f"/api/v1/courses/{course.id}", headers=h, json={"capacity": 4}).status_code == 200
    # The two best placed move up: the radio official, then the earliest propagandist; the other waits, first now.
    assert [_state(db, e) for e in rows[2:]] == [("confirmed", None), ("waitlisted", 1), ("confirmed", None)]
    promoted = db.get(Enrolment, rows[4].id)
    assert promoted.reasons[0]["code"] == "promoted" and "có thêm chỗ" in promoted.reasons[0]["vi"]
    listed = client.get(f"/api/v1/courses/{course.id}/enrolments", headers=h).json()
    assert listed["counts"] == {"confirmed": 4, "waitlisted": 1}
    assert [e["waitlist_position"] for e in listed["items"] if e["status"] == "waitlisted"] == [1]
    assert client.patch(f"/api/v1/courses/{course.id}", headers=h, json={"capacity": 3}).status_code == 200
    assert _state(db, rows[3]) == ("waitlisted", 1)  # fewer seats never unseat anyone, nor move the waitlist


def test_withdrawals_promote_the_head_of_a_long_waitlist_in_the_rules_order(db, make_user):
    """A withdrawal reads only as many of the waitlist as there are free seats, in the database's order; that order
    is the rules' (priority, then time of registration, then trainee id), ties in time included."""
    organiser, course, trainee = _world(db, make_user, seats=2)
    seated = [trainee() for _ in range(2)]
    waiting = [trainee(**PROPAGANDIST) if i % 3 else trainee() for i in range(7)]
    first = [service.register(db, principal(u), course.id) for u in seated]
    rows = [service.register(db, principal(u), course.id) for u in waiting]
    same_instant = utcnow() - timedelta(minutes=5)
    for e in rows[:4]:  # four registered in the same instant: the trainee id decides among equals
        e.registered_at = same_instant
    db.flush()
    expected = [w.enrolment_id for _, w in rules.waitlist_order(
        [rules.Waiting(e.id, e.trainee_id, e.priority_rank, e.priority_sub_rank, e.registered_at) for e in rows])]
    assert set(expected[:2]) <= {e.id for e in rows[:4]}  # the two promoted registered in the same instant

    service.withdraw(db, principal(seated[0]), first[0].id)
    service.withdraw(db, principal(seated[1]), first[1].id)
    db.expire_all()
    promoted = [e.id for e in rows if db.get(Enrolment, e.id).status == "confirmed"]
    assert sorted(promoted) == sorted(expected[:2])
    assert [db.get(Enrolment, i).waitlist_position for i in expected[2:]] == [1, 2, 3, 4, 5]
    assert all(db.get(Enrolment, i).reasons[0]["code"] == "promoted" for i in expected[:2])
