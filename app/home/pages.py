"""The root redirect, the dashboard (a trainee's home) and the language switch."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.auth import service as auth_service
from app.auth.permissions import Public, SignedIn
from app.cookies import LOCALE_COOKIE
from app.db import DbSession, Route
from app.enrolment.rules import STATUS_LABELS
from app.home import dashboard
from app.i18n import LOCALES
from app.web import redirect, render

router = APIRouter(route_class=Route)


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
