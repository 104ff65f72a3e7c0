"""The one permission mechanism. Every route declares who may call it by depending on a `Permission`.

    @router.get("/x")
    def x(who: Annotated[Principal, Depends(allow(Role.ADMIN, Role.ORGANISER))]): ...

`tests/auth/test_route_permissions.py` walks every registered route and fails when one declares nothing.

Who may see and manage which record is decided once, in `app.auth.scope` (the predicates and query scopes the
services call; re-exported here for the routes): this module is the web layer's side (FastAPI dependencies, CSRF),
which no service imports.
"""
from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from app.auth import service
from app.auth.models import Role
from app.auth.principal import Principal
from app.auth.scope import (  # noqa: F401 - re-exported for the routes
    may_manage_course,
    may_manage_trainee,
    may_manage_unit,
    may_see_account,
    may_see_budget,
    may_see_course,
    may_see_session,
    unit_scope,
    visible_courses_for,
)
from app.cookies import CSRF_COOKIE, SESSION_COOKIE
from app.db import reading_session
from app.errors import DomainError, Forbidden, Unauthenticated

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

    before_body = True  # app.db.Route runs it before FastAPI reads a body

    def __init__(self, name: str, roles: frozenset[str] | None) -> None:
        self.name = name
        self.roles = roles  # None = public

    @property
    def is_public(self) -> bool:
        return self.roles is None

    def __repr__(self) -> str:
        return f"Permission({self.name})"

    async def __call__(self, request: Request) -> Principal:
        if getattr(request.state, "admitted_by", None) is self:  # already run for this request (app.db.Route)
            return request.state.principal
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
        request.state.admitted_by = self
        return principal

    @staticmethod
    def _principal(request: Request) -> Principal:
        """Who is calling, from the bearer token (API) or the session cookie (pages); anonymous when neither."""
        ip = client_ip(request)
        # A short read of its own, not the request's session: the request's transaction (and any lock it takes)
        # then lives entirely inside the endpoint.
        with reading_session(request) as db:
            if is_api(request):
                who = service.resolve(db, bearer_token(request), "api", ip)
            else:
                who = service.resolve(db, request.cookies.get(SESSION_COOKIE), "web", ip)
            return who or Principal.anonymous(ip)


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
