"""Course pages: list, create, the course page with its tabs, sessions, budget, life cycle, lecturers, calendar."""
from __future__ import annotations

from datetime import time
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from app import audit
from app.auth.permissions import Public, SignedIn, Staff
from app.auth.service import principal_for
from app.core.text import foreign_digits, is_digits
from app.courses import feeds, present, programmes, rules, service, sessions
from app.curricula import present as curricula_present
from app.curricula import service as curricula
from app.db import DbSession, Route, utcnow
from app.enrolment.rules import STATUS_LABELS
from app.errors import DomainError, Invalid, NotFound
from app.home import service as home
from app.issuers import service as issuers
from app.web import PostedForm, form_action, form_date, redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)
ICS = "text/calendar; charset=utf-8"


@router.get("/courses")
def courses_page(request: Request, db: DbSession, who: SignedIn, q: Annotated[str, Query(max_length=100)] = "",
                 curriculum: Annotated[str, Query(max_length=16)] = "", status: Annotated[str, Query(
                     pattern="^(|draft|open|running|finished|closed|cancelled)$")] = "",
                 unit: Annotated[str, Query(max_length=12)] = "") -> HTMLResponse:
    f = service.CourseFilters(q=q, curriculum=curriculum or None, status=status or None, unit=unit or None)
    return render(request, "courses/list.html",
                  {"courses": service.visible_courses(db, who, f), "f": f, "curricula": curricula.catalogue(db),
                   "statuses": rules.STATUS_LABELS}, block="results")


@router.get("/courses/new")
def new_course_page(request: Request, db: DbSession, _: Staff, curriculum: str = "") -> HTMLResponse:
    return _form(request, db, {"curriculum": curriculum.upper()})


def _form(request: Request, db: DbSession, values: dict, error: DomainError | None = None) -> HTMLResponse:
    return render(request, "courses/new.html",
                  {"curricula": [curricula_present.summary(v) for v in curricula.catalogue(db)], "values": values,
                   "error": error}, status_code=error.status if error else 200)


@router.post("/courses")
def create_course(request: Request, db: DbSession, who: Staff, curriculum: Annotated[str, Form()] = "",
                  title: Annotated[str, Form()] = "", unit: Annotated[str, Form()] = "") -> Response:
    with form_action(db) as refused:
        course = service.create_course(db, who, curriculum_code=curriculum, title=title, unit_key=unit or None)
    if refused:
        return _form(request, db, {"curriculum": curriculum, "title": title, "unit": unit}, refused.error)
    return redirect(f"/courses/{course.id}/edit", f"Đã tạo khoá học {course.code}. Hãy điền thời gian, địa điểm "
                                                  "và số chỗ.")


@router.get("/courses/{course_id}")
def course_page(course_id: int, request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    course = service.get_course(db, who, course_id)
    ctx = present.course_tab(db, who, course)
    if ctx["may_manage"]:
        ch = service.checks(db, course)
        ctx["checks"] = ch
        ctx["open_problems"] = rules.transition_problems(service.facts(course), rules.Status.OPEN, utcnow().date(),
                                                         ch.conflicts) if course.status == rules.Status.DRAFT else []
        ctx["history"] = audit.history(db, "course", course.id)
    ctx["registration"] = home.registration_for(db, who, course)
    return render(request, "courses/detail.html", {**ctx, "tab": "overview", "enrolment_labels": STATUS_LABELS})


@router.get("/courses/{course_id}/edit")
def edit_page(course_id: int, request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    course = service.get_course(db, who, course_id)
    service.ensure_may_manage(db, who, course)
    return render(request, "courses/edit.html", {**_edit_context(db, who, course), "errors": {}})


def _edit_context(db: DbSession, who, course) -> dict:  # noqa: ANN001
    return {**present.course_tab(db, who, course), "tab": "edit",
            "body_choices": issuers.choices_for_course(db, course.unit_id, course.issuing_body_id),
            "programme_choices": programmes.listing(db)}


@router.post("/courses/{course_id}/edit")
def edit(course_id: int, request: Request, db: DbSession, who: Staff, form: PostedForm) -> Response:
    course = service.get_course(db, who, course_id)
    with form_action(db) as refused:
        capacity = str(form.get("capacity") or "").strip()
        share = str(form.get("min_attendance_percent") or "").strip()
        if capacity and not is_digits(capacity):
            raise Invalid("capacity_invalid", f"Số chỗ “{capacity}” phải là số nguyên dương.", field="capacity")
        hours = str(form.get("hours_override") or "").strip()
        changes = {
            "title": str(form.get("title") or ""),
            "signer_title": str(form.get("signer_title") or "").strip(),
            "signer_name": str(form.get("signer_name") or "").strip(), "form": str(form.get("form") or "in_person"),
            "venue": str(form.get("venue") or "").strip() or None, "capacity": int(capacity) if capacity else None,
            "start_date": form_date(str(form.get("start_date") or ""), "start_date"),
            "end_date": form_date(str(form.get("end_date") or ""), "end_date"),
            "registration_opens": form_date(str(form.get("registration_opens") or ""), "registration_opens"),
            "registration_closes": form_date(str(form.get("registration_closes") or ""), "registration_closes"),
            "assessment_required": form.get("assessment_required") == "on",
        }
        if "issuing_body_id" in form:
            body_id = str(form.get("issuing_body_id") or "").strip()
            if body_id and not body_id.isdigit():
                raise Invalid("issuing_body_invalid", "Hãy chọn cơ quan cấp trong danh sách.", field="issuing_body_id")
            changes["issuing_body_id"] = int(body_id) if body_id else None
        elif "organising_body" in form:  # a form written before bodies were records
            changes["organising_body"] = str(form.get("organising_body") or "").strip()
        changes["hours_override"] = _hours(hours, "hours_override") if hours else None
        if form.get("programme"):
            changes["programme"] = str(form.get("programme"))
        gap = str(form.get("retraining_gap_years") or "").strip()
        if not gap.isdigit() and gap:
            raise Invalid("retraining_invalid", f"Số năm “{gap}” phải là số nguyên (để trống: nhận lại người đã học).",
                          field="retraining_gap_years")
        changes["retraining_gap_years"] = int(gap or 0)
        if share:
            try:
                if foreign_digits(share):
                    raise ValueError(share)
                changes["min_attendance_share"] = float(share.replace(",", ".")) / 100
            except ValueError:
                raise Invalid("share_invalid", f"Tỷ lệ “{share}” không phải là số.",
                              field="min_attendance_share") from None
        service.update_course(db, who, course_id, changes)
        keys = [k for k in str(form.get("places") or "").replace(";", ",").replace("\n", ",").split(",") if k.strip()]
        service.set_places(db, who, course_id, keys)
    if refused:
        err = refused.error
        course = service.get_course(db, who, course_id)
        return render(request, "courses/edit.html",
                      {**_edit_context(db, who, course), "error": err.message,
                       "errors": {err.field or "": err.message}, "values": dict(form)},
                      status_code=err.status)
    return redirect(f"/courses/{course_id}", "Đã lưu thông tin khoá học.")


@router.post("/courses/{course_id}/transition")
def transition(course_id: int, db: DbSession, who: Staff, target: Annotated[str, Form()],
               reason: Annotated[str, Form(max_length=1000)] = "") -> Response:
    with form_action(db) as refused:
        service.transition(db, who, course_id, target, reason)
    if refused:
        return redirect(f"/courses/{course_id}", refused.message, "error")
    label = rules.STATUS_LABELS.get(target, (target,))[0]
    return redirect(f"/courses/{course_id}", f"Khoá học đã chuyển sang “{label}”.")


@router.post("/courses/{course_id}/copy")
def copy(course_id: int, db: DbSession, who: Staff) -> Response:
    new = service.copy_course(db, who, course_id)
    return redirect(f"/courses/{new.id}/edit", f"Đã tạo bản sao {new.code}; hãy điền thời gian cho đợt mới.")


@router.get("/courses/{course_id}/sessions")
def sessions_page(course_id: int, request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    course = service.get_course(db, who, course_id)
    ctx = present.course_tab(db, who, course)
    if ctx["may_manage"]:
        ctx["checks"] = service.checks(db, course)
        ctx["lecturers"] = sessions.lecturers(db, who)
    return render(request, "courses/sessions.html", {**ctx, "tab": "sessions", "values": {}})


def _time(raw: str, field: str) -> time | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise Invalid("time_invalid", f"Giờ “{raw}” không hợp lệ (ví dụ 07:30).", field=field) from None


@router.post("/courses/{course_id}/sessions")
def add_session(course_id: int, request: Request, db: DbSession, who: Staff, form: PostedForm) -> Response:
    with form_action(db) as refused:
        on = form_date(str(form.get("session_date") or ""), "session_date")
        if on is None:
            raise Invalid("date_required", "Cần chọn ngày học.", field="session_date")
        lecturer = str(form.get("lecturer_id") or "")
        if (lecturer and not is_digits(lecturer)) or not all(is_digits(str(x)) for x in form.getlist("module_ids")):
            raise Invalid("choice_invalid", "Giảng viên hoặc chuyên đề đã chọn không hợp lệ.", field="lecturer_id")
        data = sessions.SessionInput(
            session_date=on, part_of_day=str(form.get("part_of_day") or "morning"),
            start_time=_time(str(form.get("start_time") or ""), "start_time"),
            end_time=_time(str(form.get("end_time") or ""), "end_time"),
            module_ids=[int(x) for x in form.getlist("module_ids") if is_digits(str(x))],
            lecturer_id=int(lecturer) if is_digits(lecturer) else None, room=str(form.get("room") or ""),
            online_link=str(form.get("online_link") or ""), topics_note=str(form.get("topics_note") or ""))
        sessions.add_session(db, who, course_id, data)
    if refused:
        course = service.get_course(db, who, course_id)
        ctx = present.course_tab(db, who, course)
        return render(request, "courses/sessions.html",
                      {**ctx, "tab": "sessions", "checks": service.checks(db, course),
                       "lecturers": sessions.lecturers(db, who), "error": refused.message, "values": dict(form),
                       "module_values": form.getlist("module_ids")}, status_code=refused.status)
    course = service.get_course(db, who, course_id)
    conflicts = service.checks(db, course).conflicts
    message = "Đã thêm buổi học." + (f" Cảnh báo: {conflicts[0].vi}" if conflicts else "")
    return redirect(f"/courses/{course_id}/sessions", message, "error" if conflicts else "success")


@router.post("/courses/{course_id}/sessions/{session_id}/delete")
def delete_session(course_id: int, session_id: int, db: DbSession, who: Staff) -> Response:
    sessions.delete_session(db, who, course_id, session_id)
    return redirect(f"/courses/{course_id}/sessions", "Đã xoá buổi học.")


@router.get("/courses/{course_id}/budget")
def budget_page(course_id: int, request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    course = service.get_course(db, who, course_id)
    return render(request, "courses/budget.html", {**present.course_tab(db, who, course), "tab": "budget"})


def _amount(raw: str, field: str) -> Decimal | None:
    raw = raw.strip().replace(".", "").replace(",", "").replace(" ", "")
    if not raw:
        return None
    try:
        if foreign_digits(raw):
            raise InvalidOperation
        value = Decimal(raw)
    except InvalidOperation:
        raise Invalid("amount_invalid", f"Số tiền “{raw}” không hợp lệ.", field=field) from None
    if not value.is_finite() or value != value.to_integral_value():
        raise Invalid("amount_invalid", "Số tiền phải là số nguyên (đồng).", field=field)
    return value


@router.post("/courses/{course_id}/budget")
def add_budget_line(course_id: int, db: DbSession, who: Staff, category: Annotated[str, Form()] = "",
                    description: Annotated[str, Form(max_length=300)] = "",
                    planned_amount: Annotated[str, Form(max_length=30)] = "",
                    actual_amount: Annotated[str, Form(max_length=30)] = "",
                    funding_source: Annotated[str, Form()] = "") -> Response:
    with form_action(db) as refused:
        planned = _amount(planned_amount, "planned_amount")
        if planned is None:
            raise Invalid("amount_required", "Cần nhập số tiền dự kiến.", field="planned_amount")
        service.add_budget_line(db, who, course_id, category=category, description=description,
                                planned_amount=planned, actual_amount=_amount(actual_amount, "actual_amount"),
                                funding_source=funding_source)
    if refused:
        return redirect(f"/courses/{course_id}/budget", refused.message, "error")
    return redirect(f"/courses/{course_id}/budget", "Đã thêm khoản chi.")


@router.post("/courses/{course_id}/budget/{line_id}/delete")
def remove_budget_line(course_id: int, line_id: int, db: DbSession, who: Staff) -> Response:
    service.remove_budget_line(db, who, course_id, line_id)
    return redirect(f"/courses/{course_id}/budget", "Đã xoá khoản chi.")


@router.post("/courses/{course_id}/modules")
def add_local_module(course_id: int, db: DbSession, who: Staff, title: Annotated[str, Form()] = "",
                     theory_hours: Annotated[str, Form()] = "",
                     practice_hours: Annotated[str, Form()] = "0") -> Response:
    with form_action(db) as refused:
        theory = _hours(theory_hours, "theory_hours")
        practice = _hours(practice_hours or "0", "practice_hours")
        service.add_local_module(db, who, course_id, title=title, theory_hours=theory, practice_hours=practice)
    if refused:
        return redirect(f"/courses/{course_id}", refused.message, "error")
    return redirect(f"/courses/{course_id}", "Đã thêm chuyên đề địa phương.")


@router.post("/courses/{course_id}/modules/{module_id}/topics")
def add_local_topic(course_id: int, module_id: int, db: DbSession, who: Staff,
                    title: Annotated[str, Form()] = "") -> Response:
    with form_action(db) as refused:
        service.add_local_topic(db, who, course_id, module_id, title=title)
    if refused:
        return redirect(f"/courses/{course_id}", refused.message, "error")
    return redirect(f"/courses/{course_id}", "Đã thêm nội dung địa phương.")


def _hours(raw: str, field: str) -> float:
    try:
        if foreign_digits(raw):
            raise ValueError(raw)
        value = float(raw.replace(",", "."))
    except ValueError:
        raise Invalid("hours_invalid", f"Số giờ “{raw}” không phải là một số.", field=field) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise Invalid("hours_invalid", "Số giờ không hợp lệ.", field=field)
    return value


@router.get("/lecturers")
def lecturers_page(request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    return render(request, "courses/lecturers.html", {"lecturers": sessions.lecturers(db, who)})


@router.post("/lecturers")
def create_lecturer(db: DbSession, who: Staff, full_name: Annotated[str, Form(max_length=120)] = "",
                    title: Annotated[str, Form(max_length=120)] = "",
                    organisation: Annotated[str, Form(max_length=300)] = "",
                    email: Annotated[str, Form(max_length=254)] = "", phone: Annotated[str, Form(max_length=30)] = "",
                    username: Annotated[str, Form(max_length=64)] = "") -> Response:
    with form_action(db) as refused:
        sessions.create_lecturer(db, who, full_name=full_name, title=title, organisation=organisation, email=email,
                                 phone=phone, username=username or None)
    if refused:
        return redirect("/lecturers", refused.message, "error")
    return redirect("/lecturers", "Đã thêm giảng viên.")


@router.get("/calendar")
def calendar_page(request: Request, db: DbSession, who: SignedIn,
                  month: Annotated[str, Query(pattern=r"^([0-9]{4}-[0-9]{2})?$")] = "") -> HTMLResponse:
    today = utcnow().date()
    year, month_no = (int(month[:4]), int(month[5:])) if month else (today.year, today.month)
    if not 1 <= month_no <= 12 or not 2000 <= year <= 2100:
        raise NotFound("Không có tháng này.")
    prev_m = f"{year - 1}-12" if month_no == 1 else f"{year}-{month_no - 1:02d}"
    next_m = f"{year + 1}-01" if month_no == 12 else f"{year}-{month_no + 1:02d}"
    return render(request, "courses/calendar.html", {**feeds.month(db, who, year, month_no), "today": today,
                                                     "prev_month": prev_m, "next_month": next_m})


@router.get("/calendar/links")
def calendar_links(request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    token = feeds.feed_token(db, who)
    return render(request, "courses/calendar_links.html",
                  {"token": token, "courses": [c for c in service.visible_courses(db, who)
                                               if c.status != rules.Status.DRAFT][:50]})


@router.post("/calendar/links/reset")
def reset_calendar_links(db: DbSession, who: SignedIn) -> Response:
    feeds.reset_feed_token(db, who)
    return redirect("/calendar/links", "Đã tạo đường dẫn mới; các đường dẫn cũ không còn dùng được.")


def _ics(data: bytes, name: str) -> Response:
    return Response(data, media_type=ICS, headers={"Content-Disposition": f'inline; filename="{name}"',
                                                   "Cache-Control": "private, max-age=300"})


@router.get("/ical/{token}/course-{course_id}.ics")
def course_ics(token: str, course_id: int, db: DbSession, _: Public) -> Response:
    """A course's sessions for a calendar app; the token stands in for signing in (apps cannot sign in)."""
    user = feeds.user_for_token(db, token)
    if user is None:
        raise NotFound("Đường dẫn lịch không hợp lệ hoặc đã được đổi.", code="feed_not_found")
    course = service.get_course(db, principal_for(user, None), course_id)
    return _ics(feeds.course_feed(db, course), f"{course.code}.ics")


@router.get("/ical/{token}/teaching.ics")
def teaching_ics(token: str, db: DbSession, _: Public) -> Response:
    user = feeds.user_for_token(db, token)
    if user is None:
        raise NotFound("Đường dẫn lịch không hợp lệ hoặc đã được đổi.", code="feed_not_found")
    return _ics(feeds.teaching_feed(db, user), "lich-giang.ics")


@router.get("/ical/{token}/my-courses.ics")
def my_courses_ics(token: str, db: DbSession, _: Public) -> Response:
    """A trainee's confirmed courses, for their phone's calendar."""
    user = feeds.user_for_token(db, token)
    if user is None:
        raise NotFound("Đường dẫn lịch không hợp lệ hoặc đã được đổi.", code="feed_not_found")
    return _ics(feeds.trainee_feed(db, user), "lich-hoc.ics")
