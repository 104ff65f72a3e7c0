"""Test set-up shared by the enrolment and attendance tests: an open course and the officials who join it."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.courses import service as courses
from app.courses.models import Course
from app.db import utcnow
from app.people import service as people
from app.people.models import Trainee
from tests.people.factories import person


def principal(user) -> Principal:  # noqa: ANN001
    return Principal(user.id, user.username, user.full_name, user.role, user.unit_id, None)


def open_course(db: Session, who: Principal, *, capacity: int, title: str = "Lớp thử",
                starts_in_days: int = 20) -> Course:
    """A CT2 course in Bắc Ninh, open for registration now, closing the day before its one-day run. It is put in the
    "open" state directly: planning checks are tested with the courses, not here."""
    course = courses.create_course(db, who, curriculum_code="CT2", title=title)
    start = utcnow().date() + timedelta(days=starts_in_days)
    courses.update_course(db, who, course.id, {"capacity": capacity, "start_date": start, "end_date": start,
                                               "registration_opens": utcnow().date(),
                                               "registration_closes": start - timedelta(days=1),
                                               "venue": "Hội trường"})
    courses.set_places(db, who, course.id, ["24"])
    course.status = "open"
    db.flush()
    return course


def add_trainee(db: Session, who: Principal, i: int, user_id: int | None = None, **overrides) -> Trainee:
    """Official number i of the people factory (a radio official of Xã Tân Dĩnh unless overridden)."""
    row = person(i, **overrides)
    data = people.parse_or_raise(db, {
        "full_name": row["Họ và tên"], "sex": row["Giới tính"], "birth_date": row["Ngày sinh"], "ethnicity": "kinh",
        "citizen_id": row["Số CCCD"], "position": row["Chức danh"], "organisation_type": row["Loại tổ chức"],
        "commune": row["Xã/phường"], "province": row["Tỉnh/thành phố"],
        "in_charge_of_radio": row["Phụ trách đài truyền thanh"] == "Có"})
    t = people.create_trainee(db, who, data)
    if user_id is not None:
        t.user_id = user_id
        db.flush()
    return t
