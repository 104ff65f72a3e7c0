"""Health, the API's schema and docs, the home page, the dashboard and the language switch."""
from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import text

from app.auth import service as auth_service
from app.auth.permissions import Public, SignedIn
from app.config import get_settings
from app.cookies import LOCALE_COOKIE
from app.core import dashboard
from app.core.schemas import Health
from app.db import DbSession
from app.enrolment.rules import STATUS_LABELS
from app.errors import NotFound
from app.i18n import LOCALES
from app.web import redirect, render

router = APIRouter()
log = logging.getLogger("nangluc")


@router.get("/healthz", response_model=Health, tags=["system"],
            responses={503: {"model": Health, "description": "the database does not answer (the reason is logged)"}})
def healthz(db: DbSession, _: Public) -> Response:
    """200 when the application and its database answer; 503 "unavailable" otherwise. The driver's message (host
    names, user, version) goes to the log, never to an anonymous caller."""
    try:
        db.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not healthy", never a 500
        # End the failed transaction here: a connection lost mid-statement leaves it invalid, and the request's commit
        # would otherwise turn this 503 into a 500 (tests/reliability/test_dropped_connection.py).
        db.rollback()
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        log.warning("healthz: the database does not answer: %s", reason)
        return JSONResponse({"status": "unavailable", "database": "unavailable"}, status_code=503,
                            headers={"Retry-After": "5"})
    return JSONResponse({"status": "ok", "database": "ok"})


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, _: Public) -> JSONResponse:
    _docs_enabled()
    return JSONResponse(request.app.openapi())


def _docs_enabled() -> None:
    """NANGLUC_API_DOCS=false switches /docs and /openapi.json off (404), e.g. on a production server."""
    if not get_settings().api_docs:
        raise NotFound()


@router.get("/docs", include_in_schema=False)
def docs(_: Public) -> HTMLResponse:
    _docs_enabled()
    page = get_swagger_ui_html(openapi_url="/openapi.json", title="Năng Lực API",
                               swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
                               swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
                               swagger_favicon_url="/static/favicon.svg")
    # Swagger's own start-up script is inline; our CSP forbids inline script, so start it from a static file.
    body = page.body.decode()
    start, end = body.index("<script>"), body.index("</script>", body.index("<script>")) + len("</script>")
    body = body[:start] + '<script src="/static/swagger-init.js"></script>' + body[end:]
    return HTMLResponse(body)


@router.get("/", include_in_schema=False)
def home(who: Public) -> RedirectResponse:
    return RedirectResponse("/dashboard" if who.is_authenticated else "/login", status_code=303)


@router.get("/dashboard", include_in_schema=False)
def dashboard_page(request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    return render(request, "dashboard.html", {**dashboard.for_principal(db, who), "labels": STATUS_LABELS})


@router.post("/lang", include_in_schema=False)
def switch_language(db: DbSession, who: Public, locale: Annotated[str, Form()],
                    next: Annotated[str, Form()] = "/") -> Response:
    """The language switch in the header: remembered in a cookie and, when signed in, on the account."""
    if locale not in LOCALES:
        locale = "vi"
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = redirect(target)
    response.set_cookie(LOCALE_COOKIE, locale, max_age=365 * 24 * 3600, samesite="lax", httponly=True, path="/")
    auth_service.set_locale(db, who, locale)
    return response
