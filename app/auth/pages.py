"""Sign-in and sign-out, one's own account (password, sessions), and the list of accounts with unlock."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from app.auth import service
from app.auth.permissions import Public, SignedIn, Staff, client_ip
from app.config import get_settings
from app.cookies import SESSION_COOKIE
from app.db import DbSession, Route, session_factory
from app.web import form_action, redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)


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
    with form_action(db) as refused:  # rolled back; the failure's audit event alone is kept (and its count)
        user = service.authenticate(db, session_factory(request), username, password, client_ip(request))
    if refused:
        page = render(request, "auth/login.html",
                      {"next": _safe_next(next), "username": username, "error": refused.message,
                       "demo_users": service.demo_usernames(db)},
                      status_code=refused.status)
        page.headers.update(refused.error.headers)
        return page
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
    users = service.list_users(db, who)
    return render(request, "auth/users.html",
                  {"users": users, "locked": service.lock_state(db, [u.username for u in users])})


@router.post("/users/{user_id}/unlock")
def unlock_user(user_id: int, db: DbSession, who: Staff) -> Response:
    user = service.unlock(db, who, user_id)
    return redirect("/users", f"Đã mở khoá đăng nhập cho “{user.username}”.")


def _account(request: Request, db: DbSession, who: SignedIn, errors: dict | None = None,
             status_code: int = 200) -> HTMLResponse:
    return render(request, "auth/account.html",
                  {"sessions": service.sessions_of(db, who.user_id), "errors": errors or {},
                   "failures": service.remembered_failures(db, who.username),
                   "current": service.token_hash(request.cookies.get(SESSION_COOKIE) or "")},
                  status_code=status_code)


@router.get("/account")
def account_page(request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    return _account(request, db, who)


@router.post("/account/password")
def change_password(request: Request, db: DbSession, who: SignedIn,
                    current_password: Annotated[str, Form(max_length=256)] = "",
                    new_password: Annotated[str, Form(max_length=256)] = "",
                    confirm_password: Annotated[str, Form(max_length=256)] = "") -> Response:
    if new_password != confirm_password:
        return _account(request, db, who, {"confirm_password": "Hai lần nhập mật khẩu mới không khớp."}, 422)
    with form_action(db) as refused:  # rolled back; a wrong current password's audit event alone is kept
        ended = service.change_password(db, session_factory(request), who, current_password, new_password,
                                        request.cookies.get(SESSION_COOKIE))
    if refused:
        err = refused.error
        field = err.field or ("current_password" if err.status == 429 else "new_password")
        page = _account(request, db, who, {field: err.message}, err.status)
        page.headers.update(err.headers)
        return page
    return redirect("/account", f"Đã đổi mật khẩu. {ended} phiên đăng nhập và mã truy cập khác đã kết thúc.")


@router.post("/account/sessions/end-others")
def end_other_sessions(request: Request, db: DbSession, who: SignedIn) -> Response:
    ended = service.end_other_sessions(db, who, request.cookies.get(SESSION_COOKIE))
    return redirect("/account", f"Đã đăng xuất {ended} phiên đăng nhập và mã truy cập khác.")


@router.post("/account/unlock")
def unlock_own(db: DbSession, who: SignedIn) -> Response:
    service.unlock(db, who, who.user_id)
    return redirect("/account", "Đã xoá các lần đăng nhập sai; tài khoản không còn bị khoá.")
