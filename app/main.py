"""create_app(): routers, middleware, error handlers, static files."""
from __future__ import annotations

import logging
import secrets
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette_compress import CompressMiddleware

from app.assets import HashedStaticFiles
from app.config import get_settings
from app.cookies import CSRF_COOKIE
from app.error_handlers import install_error_handlers
from app.infra.limits import BodyLimit
from app.infra.openapi import document_errors
from app.infra.routing import include_flat
from app.infra.routing import install as install_route_index

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
TOKEN_PATH = "/api/v1/auth/token"  # noqa: S105 - a URL, not a secret


def _routers() -> list:
    from app.assessment import api as assessment_api
    from app.assessment import pages as assessment_pages
    from app.attendance import api as attendance_api
    from app.attendance import pages as attendance_pages
    from app.audit import pages as audit_pages
    from app.auth import api as auth_api
    from app.auth import pages as auth_pages
    from app.certificates import api as certificates_api
    from app.certificates import pages as certificates_pages
    from app.courses import api as courses_api
    from app.courses import pages as courses_pages
    from app.curricula import api as curricula_api
    from app.curricula import pages as curricula_pages
    from app.enrolment import api as enrolment_api
    from app.enrolment import pages as enrolment_pages
    from app.history import api as history_api
    from app.history import pages as history_pages
    from app.home import pages as home_pages
    from app.infra import pages as infra_pages
    from app.issuers import api as issuers_api
    from app.issuers import pages as issuers_pages
    from app.jobs import api as jobs_api
    from app.jobs import pages as jobs_pages
    from app.materials import api as materials_api
    from app.materials import pages as materials_pages
    from app.media import api as media_api
    from app.media import pages as media_pages
    from app.paperwork import api as paperwork_api
    from app.paperwork import pages as paperwork_pages
    from app.people import api as people_api
    from app.people import pages as people_pages
    from app.places import api as places_api
    from app.places import pages as places_pages
    from app.privacy import api as privacy_api
    from app.privacy import pages as privacy_pages
    from app.reports import api as reports_api
    from app.reports import pages as reports_pages
    from app.signing import api as signing_api
    from app.signing import pages as signing_pages
    from app.signup import api as signup_api
    from app.signup import pages as signup_pages

    return [infra_pages.router, home_pages.router, auth_pages.router, auth_api.router, places_api.router,
            places_pages.router,
            curricula_api.router, curricula_pages.router, courses_api.router, courses_pages.router,
            people_api.router, people_pages.router, enrolment_api.router, enrolment_pages.router,
            attendance_api.router, attendance_api.check_in_router, attendance_pages.router,
            certificates_api.router, certificates_pages.router, jobs_api.router, jobs_pages.router,
            materials_api.router, materials_pages.router, privacy_api.router, privacy_pages.router,
            audit_pages.router, audit_pages.api, reports_api.router, reports_pages.router, media_api.router,
            media_pages.router, assessment_api.router, assessment_pages.router, paperwork_api.router,
            paperwork_pages.router, signing_api.router, signing_pages.router, issuers_api.router,
            issuers_pages.router, history_api.router, history_pages.router, signup_pages.router, signup_api.router]


def is_https(request: Request) -> bool:
    """Whether the client reached us over https: the request's own scheme, or, only when NANGLUC_BEHIND_PROXY says a
    TLS-terminating proxy is in front, the proxy's X-Forwarded-Proto (a client reaching us directly could forge it)."""
    if request.url.scheme == "https":
        return True
    if get_settings().behind_proxy:
        forwarded = request.headers.get("x-forwarded-proto", "")
        return forwarded.split(",")[0].strip().lower() == "https"
    return False


def _secure_cookies(headers: MutableHeaders) -> None:
    """Every cookie of an answer over https carries Secure, whichever route set it (session, CSRF, flash, language):
    one place, so that a new cookie cannot forget it."""
    raw = headers.raw
    for i, (name, value) in enumerate(raw):
        if name.lower() == b"set-cookie" and b"; secure" not in value.lower():
            raw[i] = (name, value + b"; Secure")


def _secure(request: Request, headers: MutableHeaders) -> None:
    """The security headers every answer carries (a route may set its own, e.g. a download's stricter CSP)."""
    if is_https(request):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        _secure_cookies(headers)
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
    if not request.url.path.startswith("/static/"):
        headers.setdefault("Cache-Control", "no-store")


def _csrf_cookie(request: Request, token: str) -> str:
    """The Set-Cookie header that hands a browser its CSRF token (app.web checks it on every form)."""
    carrier = Response()
    carrier.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/",
                       secure=request.url.scheme == "https")
    return carrier.headers["set-cookie"]


class Guard:
    """Pure ASGI middleware around every request: a JSON API call without a bearer token is answered 401 before
    routing (an anonymous caller learns nothing about which paths exist), a browser without a CSRF cookie gets one,
    and every answer carries the security headers. Pure ASGI, not `@app.middleware("http")`: that runs the rest of
    the request in a task of its own and streams the answer through a queue, a cost every request paid."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        path = scope["path"]
        if path.startswith("/api/v1/") and path != TOKEN_PATH and "authorization" not in request.headers:
            denied = JSONResponse({"detail": "Cần đăng nhập (Authorization: Bearer …).", "code": "not_authenticated"},
                                  status_code=401, headers={"WWW-Authenticate": "Bearer"})
            _secure(request, denied.headers)
            await denied(scope, receive, send)
            return
        new_csrf = None
        if not request.cookies.get(CSRF_COOKIE):
            new_csrf = secrets.token_urlsafe(32)
            request.state.csrf_token = new_csrf

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if new_csrf and not path.startswith(("/api/", "/static/")):
                    headers.append("set-cookie", _csrf_cookie(request, new_csrf))
                _secure(request, headers)
            await send(message)

        await self.app(scope, receive, secured)


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    """A few worker threads, never more than the process has database connections (app.db.worker_threads): a request
    beyond that waits in the event loop, holding neither a thread nor a connection, instead of queueing on the pool."""
    from app.db import worker_threads

    anyio.to_thread.current_default_thread_limiter().total_tokens = worker_threads()
    # A thread back from the database waits for the GIL at most this long while the event loop or another thread
    # runs Python (default 5 ms, Python's own; 1 ms cost more CPU for no faster rush: bench/README.md).
    sys.setswitchinterval(get_settings().gil_switch_seconds)
    yield


def create_app() -> FastAPI:
    settings = get_settings()
    settings.resolved_secret_key()  # refuse a weak secret at start-up, not on the first request
    logging.basicConfig(level=logging.INFO)
    app = FastAPI(title="Năng Lực API", version="0.1.0", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=_lifespan,
                  description="Quản lý bồi dưỡng, tập huấn cán bộ thông tin cơ sở — Tiểu dự án 1, Dự án 6, "
                              "CTMTQG Giảm nghèo bền vững. Sign in with `POST /api/v1/auth/token`, then send "
                              "`Authorization: Bearer <token>`.\n\n"
                              "**Closed reporting periods.** A write that would change the figures of a period whose "
                              "report was closed and submitted (a course starting in it: its status, dates, "
                              "organiser, enrolment decisions, attendance marks, results, certificates, budget lines; "
                              "a media product produced in it) is refused with 409 `period_closed` unless the request "
                              "gives a reason in the `X-Late-Reason` header (at least 10 characters, UTF-8, "
                              "percent-encoded). With it the write goes through and is listed, with the reason, "
                              "beside the submitted report (`GET /api/v1/reports/submissions/{id}`, `late_changes`).")
    install_error_handlers(app)
    generate = app.openapi

    def openapi() -> dict:
        """FastAPI's schema once, with our error responses and the bearer scheme added (app.infra.openapi)."""
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    # Every request body is limited (app.infra.limits); added first so that `Guard` below wraps its refusals too.
    app.add_middleware(BodyLimit)

    app.add_middleware(Guard)
    # Outermost: every answer (pages, JSON, static files) is compressed, Brotli or gzip as the browser accepts; a
    # trainee page on a slow phone link weighs a fifth of its size (tests/e2e/test_light_pages.py measures it).
    # zstd is left out: browsers on older phones do not read it and Brotli is as small for our pages.
    app.add_middleware(CompressMiddleware, zstd=False, minimum_size=500)
    # The routes are held flat and found through an index of their paths (app.infra.routing): FastAPI's included
    # routers cost every request a walk through all the routes before it.
    include_flat(app, _routers())
    app.mount("/static", HashedStaticFiles(), name="static")
    install_route_index(app)
    return app
