"""Sign-in and sign-out pages, and the list of accounts."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from app.auth import service
from app.auth.permissions import SESSION_COOKIE, Public, SignedIn, Staff, client_ip
from app.config import get_settings
from app.db import DbSession
from app.errors import DomainError
from app.web import redirect, render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/dashboard"


@router.get("/login")
def login_page(request: Request, db: DbSession, who: Public, next: str | None = None) -> Response:
    if who.is_authenticated:
        return redirect(_safe_next(next))
    return render(request, "auth/login.html", {"next": _safe_next(next), "demo_users": service.demo_usernames(db)})


@router.post("/login")
def login(request: Request, db: DbSession, _: Public, username: Annotated[str, Form()] = "",
          password: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/dashboard") -> Response:
    try:
        user = service.authenticate(db, username, password, client_ip(request))
    except DomainError as err:
        # Returned, not raised: the request boundary then commits the failure counter with the error page.
        return render(request, "auth/login.html",
                      {"next": _safe_next(next), "username": username, "error": err.message,
                       "demo_users": service.demo_usernames(db)},
                      status_code=err.status)
    token = service.start_session(db, user, "web", client_ip(request))
    response = redirect(_safe_next(next))
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", path="/",
                        secure=request.url.scheme == "https", max_age=get_settings().web_session_hours * 3600)
    return response


@router.post("/logout")
def logout(request: Request, db: DbSession, who: SignedIn) -> Response:
    service.end_session(db, request.cookies.get(SESSION_COOKIE), who)
    response = redirect("/login", "Bạn đã đăng xuất.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/users")
def users_page(request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    return render(request, "auth/users.html", {"users": service.list_users(db, who)})
