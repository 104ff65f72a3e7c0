"""Pages for personal-data rights: the person's own page and the organiser's queue of requests."""
from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from app.auth.permissions import SignedIn, Staff
from app.db import DbSession, Route
from app.people import service as people
from app.privacy import rules, service
from app.web import form_action, redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)


@router.get("/me/data")
def my_data_page(request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    t = people.own_record(db, who)
    return render(request, "privacy/me.html", {"has_record": t is not None, "kinds": rules.KINDS})


@router.get("/me/data.json")
def my_data_file(db: DbSession, who: SignedIn) -> Response:
    body = json.dumps(service.my_data(db, who), ensure_ascii=False, indent=2)
    return Response(body, media_type="application/json",
                    headers={"Content-Disposition": 'attachment; filename="du-lieu-cua-toi.json"'})


@router.post("/me/data-requests")
def request_change(db: DbSession, who: SignedIn, kind: Annotated[str, Form(max_length=12)],
                   message: Annotated[str, Form(max_length=2000)] = "") -> Response:
    with form_action(db) as refused:
        service.request_change(db, who, kind, message)
    if refused:
        return redirect("/me/data", refused.message, "error")
    return redirect("/me/data", "Đã gửi yêu cầu; cán bộ tổ chức của đơn vị sẽ xử lý và báo lại cho bạn.")


@router.get("/data-requests")
def queue(request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    return render(request, "privacy/queue.html", {"rows": service.open_requests(db, who), "kinds": rules.KINDS})


@router.post("/data-requests/{request_id}")
def handle(request_id: int, db: DbSession, who: Staff, outcome: Annotated[str, Form(max_length=10)],
           response: Annotated[str, Form(max_length=2000)] = "") -> Response:
    with form_action(db) as refused:
        service.handle(db, who, request_id, outcome, response)
    if refused:
        return redirect("/data-requests", refused.message, "error")
    return redirect("/data-requests", "Đã xử lý yêu cầu.")
