"""The one permission mechanism. Every route declares who may call it by depending on a `Permission`.

    @router.get("/x")
    def x(who: Annotated[Principal, Depends(allow(Role.ADMIN, Role.ORGANISER))]): ...

`tests/auth/test_route_permissions.py` walks every registered route and fails when one declares nothing.

Who may see and manage which record is decided here too, once: the predicates and query scopes below
(`may_manage_course`, `may_see_course`, `may_see_session`, `visible_courses_for`, `may_manage_unit`, …) are what the
services call. Scoping to a province or commune goes through `app.places.service.unit_ids_within`, and a record
outside the caller's scope answers 404 so that its existence is not revealed.
"""
from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.auth import service
from app.auth.models import Role, User
from app.auth.principal import Principal
from app.db import session_factory
from app.errors import DomainError, Forbidden, Unauthenticated
from app.places import service as places

SESSION_COOKIE = "nangluc_session"
CSRF_COOKIE = "nangluc_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


class CsrfFailed(DomainError):
    status = 403

    def __init__(self) -> None:
        super().__init__("csrf_failed", "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang rồi thử lại.")


async def check_csrf(request: Request) -> None:
    """Pages change state only with the CSRF token from our own form (double-submit, compared in constant time).

    The JSON API is exempt: it authenticates with a bearer header, which a foreign site cannot make a browser send.
    """
    if request.method in SAFE_METHODS or is_api(request):
        return
    expected = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else ""
    if not expected or not sent or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise CsrfFailed()


class Permission:
    """A dependency that authenticates the caller and admits only the declared roles (or anyone, when public)."""

    def __init__(self, name: str, roles: frozenset[str] | None) -> None:
        self.name = name
        self.roles = roles  # None = public

    @property
    def is_public(self) -> bool:
        return self.roles is None

    def __repr__(self) -> str:
        return f"Permission({self.name})"

    async def __call__(self, request: Request) -> Principal:
        principal = await run_in_threadpool(self._principal, request)
        request.state.principal = principal
        if self.roles is not None:
            if not principal.is_authenticated:
                if is_api(request) and bearer_token(request):
                    raise Unauthenticated("Mã truy cập không hợp lệ hoặc đã hết hạn.", code="invalid_token")
                raise Unauthenticated()
            if principal.role not in self.roles:
                raise Forbidden()
        # Only now may a form's body be read for its CSRF field: a caller who may not use the route (anonymous, or
        # the wrong role) cannot make the server receive and parse an upload first.
        await check_csrf(request)
        return principal

    @staticmethod
    def _principal(request: Request) -> Principal:
        """Who is calling, from the bearer token (API) or the session cookie (pages); anonymous when neither."""
        ip = client_ip(request)
        # A short read of its own, not the request's session: the request's transaction (and any lock it takes)
        # then lives entirely inside the endpoint.
        with session_factory(request)() as db:
            if is_api(request):
                user = service.resolve(db, bearer_token(request), "api")
            else:
                user = service.resolve(db, request.cookies.get(SESSION_COOKIE), "web")
            return service.principal_for(user, ip) if user else Principal.anonymous(ip)


def allow(*roles: str) -> Permission:
    return Permission("+".join(roles), frozenset(roles))


public = Permission("public", None)
signed_in = allow(*Role)
admin_only = allow(Role.ADMIN)
staff = allow(Role.ADMIN, Role.ORGANISER)

Public = Annotated[Principal, Depends(public)]
SignedIn = Annotated[Principal, Depends(signed_in)]
AdminOnly = Annotated[Principal, Depends(admin_only)]
Staff = Annotated[Principal, Depends(staff)]


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

