"""The class the attendance tests take the roll of."""
from __future__ import annotations

import pytest

from app.auth.principal import Principal
from app.courses import service as courses
from app.courses import sessions
from app.curricula import service as curricula
from app.enrolment import service as enrolment
from tests.courses.factories import add_trainee, open_course, principal


@pytest.fixture
def course_with_class(db, make_user):
    """An open course with two sessions on its day and three confirmed officials."""
    curricula.sync(db, Principal.system("t"))
    organiser = make_user("organiser", unit="24")
    who = principal(organiser)
    course = open_course(db, who, capacity=10, title="Lớp điểm danh", starts_in_days=10)
    for part in ("morning", "afternoon"):
        sessions.add_session(db, who, course.id, sessions.SessionInput(
            session_date=course.start_date, part_of_day=part, start_time=None, end_time=None,
            module_ids=[course.modules[0].id], lecturer_id=None, room="Phòng 1", online_link=None))
    enrolments = [enrolment.register(db, who, course.id, add_trainee(db, who, i).id) for i in range(1, 4)]
    return {"who": who, "organiser": organiser, "course": courses.get_course(db, who, course.id),
            "enrolments": enrolments}
