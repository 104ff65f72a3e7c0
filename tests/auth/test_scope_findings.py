"""The access findings of the outside review (issue #19), each reproduced: every one of these failed before
`app/auth/permissions.py` became the one place that decides who may see and manage what.

- an organiser of one province linked any account in the country to their lecturer list, and so blocked its own
  organiser from ever linking it;
- the check-in page described any session by id, another province's draft course included;
- `GET /api/v1/courses/{id}` showed the budget lines to a trainee (the budget page answers 403);
- closing another unit's data request answered 403 where the rule for a record out of scope is 404.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.auth.principal import Principal
from app.courses import service as courses
from app.courses import sessions
from app.curricula import service as curricula
from app.places.models import AdminUnit
from tests.courses.factories import add_trainee, open_course, principal
from tests.helpers import api_token, sign_in


@pytest.fixture
def two_provinces(db, make_user):
    curricula.sync(db, Principal.system("t"))
    bac_ninh, ha_noi = make_user("organiser", unit="24"), make_user("organiser", unit="01")
    who_bn, who_hn = principal(bac_ninh), principal(ha_noi)
    course = open_course(db, who_bn, capacity=5, title="Lớp mở của Bắc Ninh")
    courses.add_budget_line(db, who_bn, course.id, category="hall", description="Thuê hội trường",
                            planned_amount=2_500_000, actual_amount=None, funding_source="central")
    draft = courses.create_course(db, who_hn, curriculum_code="CT2", title="Lớp nháp bí mật của Hà Nội")
    s = sessions.add_session(db, who_hn, draft.id, sessions.SessionInput(
        session_date=date(2026, 12, 20), part_of_day="morning", start_time=None, end_time=None,
        module_ids=[courses.get_course(db, who_hn, draft.id).modules[0].id], lecturer_id=None,
        room="Phòng họp tầng 3 UBND", online_link=None))
    trainer_bn = make_user("trainer", unit="24")
    trainee = make_user("trainee", unit="07432")
    t = add_trainee(db, who_bn, 40, user_id=trainee.id)
    db.flush()
    return {"bac_ninh": bac_ninh, "ha_noi": ha_noi, "course": course, "draft": draft, "session": s,
            "trainer_bn": trainer_bn, "trainee": trainee, "trainee_record": t}


def _h(client, user) -> dict:  # noqa: ANN001
    return {"Authorization": f"Bearer {api_token(client, user.username)}"}


def test_an_organiser_cannot_link_another_provinces_account_to_their_lecturers(client, two_provinces):
    w = two_provinces
    elsewhere = client.post("/api/v1/lecturers", headers=_h(client, w["ha_noi"]),
                            json={"full_name": "Giảng viên", "username": w["trainer_bn"].username})
    assert elsewhere.status_code == 422 and elsewhere.json()["code"] == "user_not_found"  # as if it did not exist
    own = client.post("/api/v1/lecturers", headers=_h(client, w["bac_ninh"]),
                      json={"full_name": "Giảng viên Bắc Ninh", "username": w["trainer_bn"].username})
    assert own.status_code == 201, own.text  # its own organiser is not blocked


def test_the_check_in_page_describes_no_session_for_a_made_up_code(client, two_provinces):
    w = two_provinces
    for user in (w["trainee"], w["bac_ninh"]):
        client.cookies.clear()
        sign_in(client, user.username)
        for code in (f"{w['session'].id}.1.x", f"{w['session'].id}.123456.AAAAAAAAAAAAAAAAAAAAAAAAAA"):
            page = client.get(f"/check-in/{code}")
            assert page.status_code == 409
            assert "Mã QR không hợp lệ" in page.text
            for secret in ("Lớp nháp bí mật", "Phòng họp tầng 3", w["draft"].code):
                assert secret not in page.text, (user.username, code, secret)
            confirm = client.post(f"/check-in/{code}", data={"csrf_token": client.cookies.get("nangluc_csrf")})
            assert confirm.status_code == 409 and "Lớp nháp bí mật" not in confirm.text


def test_a_genuine_code_of_a_course_the_caller_may_not_see_describes_nothing(client, db, two_provinces):
    from app.attendance import rules
    from app.attendance.service import _secret
    from app.db import utcnow

    w = two_provinces
    code = rules.make_code(_secret(), w["session"].id, utcnow().timestamp())
    sign_in(client, w["trainee"].username)
    page = client.get(f"/check-in/{code}")
    assert page.status_code == 409 and "Lớp nháp bí mật" not in page.text


def test_budget_lines_only_for_those_who_manage_the_course(client, two_provinces):
    w = two_provinces
    url = f"/api/v1/courses/{w['course'].id}"
    as_trainee = client.get(url, headers=_h(client, w["trainee"]))
    assert as_trainee.status_code == 200 and as_trainee.json()["budget"] == []
    sign_in(client, w["trainee"].username)
    assert client.get(f"/courses/{w['course'].id}/budget").status_code == 403  # the page said no all along
    as_organiser = client.get(url, headers=_h(client, w["bac_ninh"]))
    assert [b["description"] for b in as_organiser.json()["budget"]] == ["Thuê hội trường"]


def test_another_units_data_request_answers_404(client, db, two_provinces):
    from app.privacy import service as privacy

    w = two_provinces
    r = privacy.request_change(db, principal(w["trainee"]), "correction", "Sai năm sinh: 1990 chứ không phải 1991")
    db.flush()
    api = client.post(f"/api/v1/data-requests/{r.id}", headers=_h(client, w["ha_noi"]),
                      json={"outcome": "done"})
    assert api.status_code == 404 and api.json()["code"] == "request_not_found"
    sign_in(client, w["ha_noi"].username)
    page = client.post(f"/data-requests/{r.id}", data={"outcome": "done",
                                                       "csrf_token": client.cookies.get("nangluc_csrf")},
                       follow_redirects=False)
    assert page.status_code == 404
    mine = client.post(f"/api/v1/data-requests/{r.id}", headers=_h(client, w["bac_ninh"]),
                       json={"outcome": "done"})
    assert mine.status_code == 200 and mine.json()["status"] == "done"


def test_the_predicates_agree_with_the_lists(db, two_provinces):
    """may_see_course and visible_courses_for are one rule: what a list shows is what a record answers."""
    from app.auth import permissions
    from app.courses.models import Course

    w = two_provinces
    everyone = list(db.scalars(select(Course)))
    for user in (w["bac_ninh"], w["ha_noi"], w["trainee"], w["trainer_bn"]):
        who = principal(user)
        listed = set(db.scalars(select(Course.id).where(permissions.visible_courses_for(db, who))))
        assert listed == {c.id for c in everyone if permissions.may_see_course(db, who, c)}
    assert w["draft"].id not in {c.id for c in courses.visible_courses(db, principal(w["trainee"]))}
    province = db.scalar(select(AdminUnit).where(AdminUnit.era == "current", AdminUnit.code == "24"))
    assert permissions.may_manage_unit(db, principal(w["bac_ninh"]), province.id)
    assert not permissions.may_manage_unit(db, principal(w["trainer_bn"]), province.id)
