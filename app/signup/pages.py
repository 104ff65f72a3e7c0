"""Pages: sign-up, invitation claim, the organisers' list of sign-ups waiting, and issuing an invitation."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from app.auth.permissions import Public, Staff, client_ip
from app.db import DbSession, Route, session_factory
from app.errors import DomainError
from app.people import reference
from app.people import service as people
from app.people.fields import COLUMNS
from app.places import service as places
from app.signup import rules, service
from app.web import PostedForm, redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)
FORM_KEYS = [c.key for c in COLUMNS]


def _choices() -> dict:
    return {"sexes": reference.SEXES, "ethnicities": reference.ETHNICITIES, "positions": reference.POSITIONS,
            "organisation_types": reference.ORGANISATION_TYPES, "categories": reference.COMMUNE_CATEGORIES}


@router.get("/signup")
def signup_page(request: Request, _: Public) -> HTMLResponse:
    return render(request, "signup/form.html", {"values": {}, "errors": {}, **_choices()})


@router.post("/signup")
def signup(request: Request, db: DbSession, _: Public, form: PostedForm) -> Response:
    values = {k: str(form.get(k) or "")[:300] for k in FORM_KEYS}
    values["in_charge_of_radio"] = form.get("in_charge_of_radio") == "on"
    values["commune_categories"] = [str(v)[:40] for v in form.getlist("commune_categories")][:10]
    password = str(form.get("password") or "")[:256]
    try:
        done = service.sign_up(db, session_factory(request), password=password, raw=values,
                               consent=form.get("consent") == "on", ip=client_ip(request))
    except DomainError as err:
        db.rollback()  # the address's count is kept by its own session (throttle); nothing else may be
        if err.status == 429:
            raise
        errors = {e["field"]: e["message"] for e in people.field_errors(err)}
        return render(request, "signup/form.html", {"values": values, "errors": errors, "error": err.message,
                                                    **_choices()}, status_code=err.status)
    return render(request, "signup/done.html", {"username": done.username, "claimed": False})


@router.get("/claim")
def claim_page(request: Request, _: Public, code: str = "") -> HTMLResponse:
    return render(request, "signup/claim.html", {"code": rules.normalise_code(code), "errors": {}})


@router.post("/claim")
def claim(request: Request, db: DbSession, _: Public, code: Annotated[str, Form(max_length=60)] = "",
          password: Annotated[str, Form(max_length=256)] = "",
          confirm_password: Annotated[str, Form(max_length=256)] = "") -> Response:
    if password != confirm_password:
        return render(request, "signup/claim.html", {"code": rules.normalise_code(code), "errors": {
            "confirm_password": "Hai lần nhập mật khẩu không khớp."}}, status_code=422)
    try:
        done = service.claim(db, session_factory(request), code=code, password=password, ip=client_ip(request))
    except DomainError as err:
        db.rollback()  # the address's count is kept by its own session (throttle); nothing else may be
        if err.status == 429:
            raise
        # Nothing was written before the refusal (the code is used up only once the password is accepted).
        return render(request, "signup/claim.html", {"code": rules.normalise_code(code),
                                                     "errors": {err.field or "code": err.message}},
                      status_code=err.status)
    return render(request, "signup/done.html", {"username": done.username, "claimed": True})


@router.get("/signups")
def signups_page(request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    items = service.pending(db, who)
    return render(request, "signup/list.html",
                  {"items": items, "clashes": {s.id: service.clash_visible(db, who, s) for s in items},
                   "path_label": places.path_label})


@router.post("/signups/{signup_id}/confirm")
def confirm(signup_id: int, db: DbSession, who: Staff,
            identity_checked: Annotated[str, Form(max_length=5)] = "") -> Response:
    service.confirm(db, who, signup_id, identity_checked=identity_checked == "on")
    return redirect("/signups", "Đã xác nhận đăng ký; người đăng ký đã được báo.")


@router.post("/signups/{signup_id}/refuse")
def refuse(signup_id: int, db: DbSession, who: Staff, reason: Annotated[str, Form(max_length=500)] = "") -> Response:
    service.refuse(db, who, signup_id, reason)
    return redirect("/signups", "Đã từ chối đăng ký; người đăng ký đã được báo lý do.")


@router.post("/trainees/{trainee_id}/invitation")
def invite(request: Request, trainee_id: int, db: DbSession, who: Staff) -> HTMLResponse:
    issued = service.invite(db, who, trainee_id)
    return render(request, "signup/invitation.html",
                  {"code": rules.grouped(issued.code), "raw_code": issued.code, "t": issued.trainee,
                   "expires_at": issued.expires_at, "path_label": places.path_label})
