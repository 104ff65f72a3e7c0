"""Health and the API's schema and docs."""
from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from app.auth.permissions import Public
from app.config import get_settings
from app.db import DbSession, Route
from app.errors import NotFound

router = APIRouter(route_class=Route)


class Health(BaseModel):
    status: str  # "ok" or "unavailable"
    database: str
    reason: str | None = None  # with "unavailable": busy, connection_lost, unreachable or error
log = logging.getLogger("nangluc")


@router.get("/healthz", response_model=Health, tags=["system"],
            responses={503: {"model": Health,
                             "description": "the database does not answer: `reason` is busy, connection_lost, "
                                            "unreachable or error (the driver's message is logged)"}})
def healthz(db: DbSession, _: Public) -> Response:
    """200 when the application and its database answer; 503 "unavailable" with a one-word reason otherwise. The
    driver's message (host names, user, version) goes to the log, never to an anonymous caller."""
    try:
        db.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not healthy", never a 500
        # End the failed transaction here: a connection lost mid-statement leaves it invalid, and the request's commit
        # would otherwise turn this 503 into a 500 (tests/reliability/test_dropped_connection.py).
        db.rollback()
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        log.warning("healthz: the database does not answer: %s", reason)
        return JSONResponse({"status": "unavailable", "database": "unavailable", "reason": _why(exc)},
                            status_code=503, headers={"Retry-After": "5"})
    return JSONResponse({"status": "ok", "database": "ok"})


def _why(exc: Exception) -> str:
    """The reason as a word an operator's monitor can act on, never the driver's text: "busy" (every pooled
    connection in use), "connection_lost" (the server closed our connection), "unreachable" (no connection could
    be made), "error" (anything else)."""
    if isinstance(exc, sa_exc.TimeoutError):
        return "busy"
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return "connection_lost"
    if isinstance(exc, sa_exc.OperationalError):
        return "unreachable"
    return "error"


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
