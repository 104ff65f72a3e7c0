"""The test oracle: the people figures worked out straight from the attendance marks and the certificates, as the
reports did before each enrolment carried its results (app.enrolment.results). The fast figures must equal these."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Integer, String, and_, case, cast, func, literal_column, select

from app.attendance.models import AttendanceMark
from app.certificates.models import Certificate
from app.courses.models import Course
from app.curricula.models import CurriculumVersion
from app.enrolment.models import Enrolment
from app.reports import rules, service


def people_base(scope: service.Scope, f: service.Filters, course_id: int | None = None,  # noqa: ANN201
                trainee_scope: list[int] | None = None):
    """service.people_base as it was: the marks of the seats that did not complete looked up, the valid certificate
    joined."""
    uncompleted = service._seats(select(Enrolment.id).select_from(Enrolment), scope, f, course_id, trainee_scope).where(
        Enrolment.status.in_([s for s in rules.SEAT_STATUSES if s != "completed"]),
        select(AttendanceMark.id).where(AttendanceMark.enrolment_id == Enrolment.id,
                                        AttendanceMark.status.in_(rules.ATTENDED_MARKS)).exists())
    attended = uncompleted.cte("attended_seats").prefix_with("MATERIALIZED")
    stmt = (select(Enrolment.id.label("enrolment_id"), Enrolment.trainee_id, Enrolment.course_id,
                   CurriculumVersion.curriculum_code.label("curriculum"),
                   service._half(Course.start_date).label("half"),
                   Course.programme_id.label("programme"), *service._facts(),
                   case((Enrolment.status == "completed", 1), (attended.c.id.is_not(None), 1),
                        else_=0).label("attended"),
                   case((Enrolment.status == "completed", 1), else_=0).label("completed"),
                   case((Certificate.id.is_not(None), 1), else_=0).label("certified"))
            .select_from(Enrolment)
            .outerjoin(attended, attended.c.id == Enrolment.id)
            .outerjoin(Certificate, and_(Certificate.enrolment_id == Enrolment.id, Certificate.status == "valid"))
            .where(Enrolment.status.in_(rules.SEAT_STATUSES)))
    return service._seats(stmt, scope, f, course_id, trainee_scope).cte("base").prefix_with("MATERIALIZED")


def per_key(base, name: str, key, *_ignored):  # noqa: ANN001, ANN002, ANN201
    """service._per_key as it was: the seats added up per (key, official) first, then per key."""
    pairs = service._per_official(base, key.label("k"))
    p = pairs.c
    return (select(service._dim(name), cast(p.k, String).label("key"),
                   *[func.coalesce(func.sum(getattr(p, m)), 0).label(label) for m, label in (
                       ("enrolled", "enrolled"), ("attendances", "attendances"), ("attended", "officials"),
                       ("completions", "completions"), ("certificates", "certificates"))],
                   literal_column("0", Integer).label("cvh_communes"))
            .group_by(p.k))


@contextmanager
def directly() -> Iterator[None]:
    """Inside: the reports compute from the marks and certificates, as before."""
    fast = service.people_base, service._per_key
    service.people_base, service._per_key = people_base, per_key
    try:
        yield
    finally:
        service.people_base, service._per_key = fast
