"""Enrolment pages: a trainee's courses (joinable and mine), an organiser's enrolment tab, notifications."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from app.auth.permissions import SignedIn, Staff
from app.config import get_settings
from app.core.files import XLSX
from app.core.text import is_digits
from app.courses import service as courses
from app.courses.present import course_tab
from app.db import DbSession, Route
from app.enrolment import listimport, present, rules, service
from app.notify import service as notices
from app.people import service as people
from app.web import PostedForm, form_action, redirect, render, stage, staged

router = APIRouter(route_class=Route, include_in_schema=False)


@router.get("/my-courses")
def my_courses(request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    mine = service.my_enrolments(db, who)
    return render(request, "enrolment/my_courses.html",
                  {"mine": mine, "again": service.may_register_again(db, who, mine),
                   "joinable": service.joinable(db, who),
                   "has_record": people.own_record(db, who) is not None, "labels": rules.STATUS_LABELS})


@router.post("/courses/{course_id}/register")
def register(course_id: int, db: DbSession, who: SignedIn) -> Response:
    with form_action(db) as refused:
        e = service.register_once(db, who, course_id, finish=True)[0]  # committed at once: see register_once
    if refused:
        return redirect("/my-courses", refused.message, "error")
    label = rules.STATUS_LABELS[e.status][0]
    where = f", vị trí {e.waitlist_position}" if e.waitlist_position else ""
    return redirect("/my-courses", f"Đã đăng ký: {label}{where}.")


@router.post("/enrolments/{enrolment_id}/withdraw")
def withdraw(enrolment_id: int, db: DbSession, who: SignedIn, reason: Annotated[str, Form(max_length=1000)] = "",
             back: Annotated[str, Form(max_length=200)] = "/my-courses") -> Response:
    target = back if back.startswith("/") and not back.startswith("//") else "/my-courses"
    with form_action(db) as refused:
        service.withdraw(db, who, enrolment_id, reason)
    if refused:
        return redirect(target, refused.message, "error")
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
                  {**course_tab(db, who, course), "tab": "enrolments", "rows": rows, "status": status,
                   "counts": service.counts(db, course_id), "labels": rules.STATUS_LABELS,
                   "candidates": candidates})


@router.post("/courses/{course_id}/enrolments/bulk")
def bulk(course_id: int, db: DbSession, who: Staff, form: PostedForm) -> Response:
    """Approve or reject the ticked people, or nominate the ticked candidates; all or nothing."""
    action = str(form.get("action") or "")
    ids = [int(x) for x in form.getlist("ids") if is_digits(str(x))]
    reason = str(form.get("reason") or "")[:1000]
    back = f"/courses/{course_id}/enrolments"
    if not ids:
        return redirect(back, "Hãy đánh dấu ít nhất một người.", "error")
    if action not in ("nominate", "confirmed", "rejected"):
        return redirect(back, "Thao tác không hợp lệ.", "error")
    with form_action(db) as refused:
        if action == "nominate":
            service.nominate_many(db, who, course_id, ids, reason)
            message = f"Đã cử {len(ids)} người."
        elif action in ("confirmed", "rejected"):
            for enrolment_id in ids:
                service.decide(db, who, enrolment_id, action, reason)
            message = f"Đã cập nhật {len(ids)} người."
    if refused:
        return redirect(back, refused.message, "error")
    return redirect(back, message)


@router.get("/courses/{course_id}/enrolments/import")
def import_page(course_id: int, request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    course = courses.get_course(db, who, course_id)
    courses.ensure_may_manage(db, who, course)
    return render(request, "enrolment/import.html", {**course_tab(db, who, course), "tab": "enrolments",
                                                     "report": None, "labels": rules.STATUS_LABELS})


@router.get("/courses/{course_id}/enrolments/import/template.xlsx")
def import_template(course_id: int, db: DbSession, who: Staff) -> Response:
    courses.ensure_may_manage(db, who, courses.find_course(db, who, course_id))
    return Response(listimport.template_xlsx(), media_type=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="danh-sach-ghi-danh.xlsx"'})


@router.post("/courses/{course_id}/enrolments/import")
def import_upload(course_id: int, request: Request, db: DbSession, who: Staff,
                        file: Annotated[UploadFile | None, File()] = None, token: Annotated[str, Form()] = "",
                        filename: Annotated[str, Form()] = "") -> Response:
    """Step 1 uploads and previews (registers inside a savepoint, then rolls back); step 2 enrols by the token."""

    def page(report: listimport.ListReport, token: str, name: str) -> HTMLResponse:
        course = courses.get_course(db, who, course_id)  # read after the savepoint, which expires what it touched
        return render(request, "enrolment/import.html",
                      {**course_tab(db, who, course), "tab": "enrolments", "labels": rules.STATUS_LABELS,
                       "report": report, "token": token, "filename": name},
                      status_code=422 if report.errors else 200)

    courses.ensure_may_manage(db, who, courses.find_course(db, who, course_id))
    if file is not None and file.filename:
        content = file.file.read(get_settings().import_max_bytes + 1)
        report = listimport.enrol_from_file(db, who, course_id, content, dry_run=True, filename=file.filename)
        token = stage(content, report.errors)
        return page(report, token, file.filename)
    path = staged(token)
    if path is None:
        return redirect(f"/courses/{course_id}/enrolments/import", "Hãy chọn tệp để xem trước.", "error")
    report = listimport.enrol_from_file(db, who, course_id, path.read_bytes(), dry_run=False, filename=filename)
    if report.errors:  # something changed between preview and import: show it again, write nothing
        return page(report, "", filename)
    path.unlink(missing_ok=True)
    return redirect(f"/courses/{course_id}/enrolments", f"Đã ghi danh {len(report.enrolled)} người từ danh sách.")


@router.post("/courses/{course_id}/enrolments/allocate")
def allocate(course_id: int, db: DbSession, who: Staff) -> Response:
    with form_action(db) as refused:
        changed = service.allocate(db, who, course_id)
    if refused:
        return redirect(f"/courses/{course_id}/enrolments", refused.message, "error")
    confirmed = sum(e.status == rules.EnrolmentStatus.CONFIRMED for e in changed)
    return redirect(f"/courses/{course_id}/enrolments",
                    f"Đã xét duyệt: {confirmed} người được xác nhận, {len(changed) - confirmed} người vào danh sách "
                    "chờ.")


@router.get("/notifications")
def notifications(request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    """The account's notifications, unread ones marked; reading the page changes nothing (a GET never writes)."""
    return render(request, "enrolment/notifications.html", {"items": notices.recent(db, who.user_id)})


@router.post("/notifications/read")
def notifications_read(db: DbSession, who: SignedIn) -> Response:
    """The page's "mark all as read" button (a POST with the CSRF token)."""
    notices.mark_all_read(db, who.user_id)
    return redirect("/notifications")


@router.get("/courses/{course_id}/enrolments/export.xlsx")
def export_class_list(course_id: int, db: DbSession, who: Staff) -> Response:
    return present.class_list_response(db, who, course_id)
