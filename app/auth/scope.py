"""Who may see and manage which record: the one authority the services (and, through app.auth.permissions, the
routes) call. The predicates and query scopes below are decided once here; scoping to a province or commune goes
through `app.places.service.unit_ids_within`, and a record outside the caller's scope answers 404 so that its
existence is not revealed. No web framework here: services import this module, never app.auth.permissions.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import Session

from app.auth.models import Role, User
from app.auth.principal import Principal
from app.errors import Forbidden, Invalid
from app.places import service as places
from app.places.models import AdminUnit

# --- who may see and manage which record: the one authority the services call ------------------------------------
# An organiser runs what lies inside their unit (a province covers its communes and the former units now under it);
# an admin runs everything; trainers and trainees manage no unit's records.


def may_manage_unit(db: Session, who: Principal, unit_id: int | None) -> bool:
    """Admin, or an organiser whose unit holds `unit_id`."""
    if who.is_admin:
        return True
    return who.role == Role.ORGANISER and places.is_within(db, unit_id, who.unit_id)


def unit_scope(db: Session, who: Principal, column: ColumnElement) -> ColumnElement[bool]:
    """A WHERE clause keeping the rows whose `column` (a unit id) lies inside the caller's unit; everything for an
    admin, nothing for an account without a unit."""
    if who.is_admin:
        return true()
    return column.in_(places.unit_ids_within(db, who.unit_id))


def may_manage_course(db: Session, who: Principal, course) -> bool:  # noqa: ANN001 - any object with unit_id
    """Plan, change, enrol into and certify a course: its unit's organisers and admins."""
    return may_manage_unit(db, who, course.unit_id)


def may_see_course(db: Session, who: Principal, course) -> bool:  # noqa: ANN001
    """An organiser sees the courses of their unit (drafts too); trainers and trainees every course past its draft."""
    if who.is_admin:
        return True
    if who.role == Role.ORGANISER:
        return places.is_within(db, course.unit_id, who.unit_id)
    return course.status != "draft"


def may_see_session(db: Session, who: Principal, course) -> bool:  # noqa: ANN001
    """A session is seen by whoever may see its course (the check-in page describes nothing else)."""
    return may_see_course(db, who, course)


def visible_courses_for(db: Session, who: Principal) -> ColumnElement[bool]:
    """The WHERE clause of `may_see_course`, for lists."""
    from app.courses.models import Course

    if who.is_admin:
        return true()
    if who.role == Role.ORGANISER:
        return Course.unit_id.in_(places.unit_ids_within(db, who.unit_id))
    return Course.status != "draft"


def may_see_budget(db: Session, who: Principal, course) -> bool:  # noqa: ANN001
    """Budget lines are the managers' (the page's budget tab answers 403 to others; the API shows none)."""
    return may_manage_course(db, who, course)


def may_manage_trainee(db: Session, who: Principal, trainee) -> bool:  # noqa: ANN001
    """Correct a person's record, answer their data requests: the organisers of their commune or province."""
    return may_manage_unit(db, who, trainee.unit_id)


def may_see_account(db: Session, who: Principal, user: User) -> bool:
    """An account is seen by its owner, admins, and the organisers of its unit (and so may be linked by them)."""
    if who.is_admin or (who.user_id is not None and who.user_id == user.id):
        return True
    return who.role == Role.ORGANISER and places.is_within(db, user.unit_id, who.unit_id)


def unit_to_create_in(db: Session, who: Principal, unit_key: str | None, *, missing: str, outside: str) -> AdminUnit:
    """The unit a new record (a course, an issuing body) is created in: the one chosen, else the caller's own; an
    organiser may only choose inside their unit. `missing` and `outside` are the refusals' messages (marked N_)."""
    if unit_key:
        unit = places.get_by_key(db, unit_key)
    elif who.unit_id is not None:
        unit = db.get(AdminUnit, who.unit_id)
    else:
        raise Invalid("unit_required", missing, field="unit")
    if not who.is_admin and not places.is_within(db, unit.id, who.unit_id):
        raise Forbidden(outside)
    return unit
