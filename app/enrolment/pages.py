"""Enrolment pages: a trainee's courses (joinable and mine), an organiser's enrolment tab, notifications."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.auth.permissions import SignedIn, Staff
from app.courses import service as courses
from app.courses.pages import _common
from app.db import DbSession
from app.enrolment import rules, service
from app.enrolment.export import class_list_xlsx
from app.errors import DomainError
from app.notify import service as notices
from app.people import service as people
from app.web import redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/my-courses")
def my_courses(request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    return render(request, "enrolment/my_courses.html",
                  {"mine": service.my_enrolments(db, who), "joinable": service.joinable(db, who),
                   "has_record": people.own_record(db, who) is not None, "labels": rules.STATUS_LABELS})


@router.post("/courses/{course_id}/register")
def register(course_id: int, db: DbSession, who: SignedIn) -> Response:
    try:
        e = service.register(db, who, course_id)
    except DomainError as err:
        return redirect("/my-courses", err.message, "error")
    label = rules.STATUS_LABELS[e.status][0]
    where = f", vị trí {e.waitlist_position}" if e.waitlist_position else ""
    return redirect("/my-courses", f"Đã đăng ký: {label}{where}.")


@router.post("/enrolments/{enrolment_id}/withdraw")
def withdraw(enrolment_id: int, db: DbSession, who: SignedIn, reason: Annotated[str, Form(max_length=1000)] = "",
             back: Annotated[str, Form(max_length=200)] = "/my-courses") -> Response:
    target = back if back.startswith("/") and not back.startswith("//") else "/my-courses"
    try:
        service.withdraw(db, who, enrolment_id, reason)
    except DomainError as err:
        return redirect(target, err.message, "error")
    return redirect(target, "Đã rút khỏi khoá học.")


@router.get("/courses/{course_id}/enrolments")
def enrolments_tab(course_id: int, request: Request, db: DbSession, who: Staff,
                   status: Annotated[str, Query(pattern="^(|pending|confirmed|waitlisted|rejected|withdrawn|"
                                                        "completed|not_completed)$")] = "") -> HTMLResponse:
    course = courses.get_course(db, who, course_id)
    rows = service.course_enrolments(db, who, course_id, status or None)
    candidates = []
    if course.status in ("draft", "open"):
        listed = {t.id for _, t in service.course_enrolments(db, who, course_id)}
        found, _ = people.list_trainees(db, who, people.Filters(
            curriculum=course.curriculum_version.curriculum_code, status="active"), per_page=200)
        candidates = [t for t in found if t.id not in listed]
    return render(request, "enrolment/tab.html",
                  {**_common(db, who, course), "tab": "enrolments", "rows": rows, "status": status,
                   "counts": service.counts(db, course_id), "labels": rules.STATUS_LABELS,
                   "candidates": candidates})


@router.post("/courses/{course_id}/enrolments/bulk")
async def bulk(course_id: int, request: Request, db: DbSession, who: Staff) -> Response:
    """Approve or reject the ticked people, or nominate the ticked candidates; all or nothing."""
    form = await request.form()
    action = str(form.get("action") or "")
    ids = [int(x) for x in form.getlist("ids") if str(x).isdigit()]
    reason = str(form.get("reason") or "")[:1000]
    back = f"/courses/{course_id}/enrolments"
    if not ids:
        return redirect(back, "Hãy đánh dấu ít nhất một người.", "error")
    try:
        if action == "nominate":
            service.nominate_many(db, who, course_id, ids)
            message = f"Đã cử {len(ids)} người."
        elif action in ("confirmed", "rejected"):
            for enrolment_id in ids:
                service.decide(db, who, enrolment_id, action, reason)
            message = f"Đã cập nhật {len(ids)} người."
        else:
            return redirect(back, "Thao tác không hợp lệ.", "error")
    except DomainError as err:
        db.rollback()
        return redirect(back, err.message, "error")
    return redirect(back, message)


@router.post("/courses/{course_id}/enrolments/allocate")
def allocate(course_id: int, db: DbSession, who: Staff) -> Response:
    try:
        changed = service.allocate(db, who, course_id)
    except DomainError as err:
        return redirect(f"/courses/{course_id}/enrolments", err.message, "error")
    confirmed = sum(e.status == rules.EnrolmentStatus.CONFIRMED for e in changed)
    return redirect(f"/courses/{course_id}/enrolments",
                    f"Đã xét duyệt: {confirmed} người được xác nhận, {len(changed) - confirmed} người vào danh sách "
                    "chờ.")


@router.get("/notifications")
def notifications(request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    items = notices.recent(db, who.user_id)
    response = render(request, "enrolment/notifications.html", {"items": items})
    notices.mark_all_read(db, who.user_id)
    return response


@router.get("/courses/{course_id}/enrolments/export.xlsx")
def export_class_list(course_id: int, db: DbSession, who: Staff) -> Response:
    return Response(class_list_xlsx(db, who, course_id),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="danh-sach-lop-{course_id}.xlsx"'})
