"""Pages of a past course, recorded in one guided flow: the course as it took place, its sessions, who took part
with their attendance and results (picked from a spreadsheet), then finished."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from app.auth.permissions import Staff
from app.config import get_settings
from app.core.files import XLSX
from app.courses import rules as course_rules
from app.courses import service as courses
from app.courses import sessions
from app.curricula import present as curricula_present
from app.curricula import service as curricula
from app.db import DbSession, Route
from app.enrolment.rules import STATUS_LABELS
from app.errors import DomainError, Invalid
from app.history import service
from app.web import PostedForm, form_action, form_date, redirect, render, stage, staged

router = APIRouter(route_class=Route, include_in_schema=False)


def _form(request: Request, db: DbSession, values: dict, error: DomainError | None = None) -> HTMLResponse:
    return render(request, "history/new.html",
                  {"curricula": [curricula_present.summary(v) for v in curricula.catalogue(db)], "values": values,
                   "error": error}, status_code=error.status if error else 200)


@router.get("/past-courses/new")
def new_page(request: Request, db: DbSession, _: Staff) -> HTMLResponse:
    return _form(request, db, {})


@router.post("/past-courses")
def create(request: Request, db: DbSession, who: Staff, posted: PostedForm) -> Response:
    form = {k: v for k, v in posted.items() if isinstance(v, str)}
    with form_action(db) as refused:
        share = form.get("min_attendance_percent", "").strip()
        data = service.PastCourseIn(
            curriculum=form.get("curriculum", ""), title=form.get("title", ""), unit=form.get("unit", "").strip(),
            start_date=form_date(form.get("start_date", ""), "start_date"),
            end_date=form_date(form.get("end_date", ""), "end_date"), venue=form.get("venue", ""),
            organising_body=form.get("organising_body", ""), signer_title=form.get("signer_title", ""),
            signer_name=form.get("signer_name", ""),
            places=[k for k in form.get("places", "").replace(";", ",").split(",") if k.strip()],
            min_attendance_share=float(share) / 100 if share.isdigit() and 0 < int(share) <= 100 else None)
        course = service.create(db, who, data)
    if refused:
        err = refused.error
        return _form(request, db, form, err)
    return redirect(f"/courses/{course.id}/past", f"Đã ghi nhận khoá học {course.code}. Tiếp theo: các buổi học.")


@router.get("/courses/{course_id}/past")
def course_page(course_id: int, request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    return _page(request, db, who, course_id)


def _page(request: Request, db: DbSession, who, course_id: int, **extra) -> HTMLResponse:  # noqa: ANN001
    course = courses.get_course(db, who, course_id)
    courses.ensure_may_manage(db, who, course)
    rows = service.participants(db, who, course_id)
    status = extra.pop("status_code", 200)
    return render(request, "history/course.html",
                  {"course": course, "rows": rows, "recording": course.status == course_rules.Status.DRAFT
                   and course.recorded_after, "report": None, "labels": STATUS_LABELS, **extra}, status_code=status)


@router.post("/courses/{course_id}/past/sessions")
def add_session(course_id: int, request: Request, db: DbSession, who: Staff,
                session_date: Annotated[str, Form()] = "", part_of_day: Annotated[str, Form()] = "morning") -> Response:
    with form_action(db) as refused:
        course = service.recording(db, who, course_id)
        on = form_date(session_date, "session_date")
        if on is None:
            raise Invalid("date_required", "Cần nhập ngày của buổi học.", field="session_date")
        sessions.add_session(db, who, course_id, sessions.SessionInput(
            session_date=on, part_of_day=part_of_day, start_time=None, end_time=None,
            module_ids=[m.id for m in course.modules], lecturer_id=None, room=None, online_link=None))
    if refused:
        err = refused.error
        return _page(request, db, who, course_id, error=err.message, status_code=err.status)
    return redirect(f"/courses/{course_id}/past#sessions", "Đã thêm buổi học.")


@router.get("/courses/{course_id}/past/template.xlsx")
def template(course_id: int, db: DbSession, who: Staff) -> Response:
    return Response(service.template_xlsx(db, who, course_id), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="nguoi-tham-du-{course_id}.xlsx"'})


@router.post("/courses/{course_id}/past/participants")
def participants(course_id: int, request: Request, db: DbSession, who: Staff,
                 file: Annotated[UploadFile | None, File()] = None, token: Annotated[str, Form()] = "",
                 lawful_basis_confirmed: Annotated[str, Form()] = "",
                 filename: Annotated[str, Form()] = "") -> Response:
    """Step 1 previews the sheet (nothing written); step 2 records the previewed file by its token."""
    limit = get_settings().import_max_bytes
    if file is not None and file.filename:
        content = file.file.read(limit + 1)
        report = service.import_participants(db, who, course_id, content, dry_run=True, filename=file.filename)
        return _page(request, db, who, course_id, report=report, token=stage(content, report.errors),
                     filename=file.filename, status_code=422 if report.errors else 200)
    path = staged(token)
    if path is None:
        return redirect(f"/courses/{course_id}/past", "Hãy chọn tệp để xem trước.", "error")
    with form_action(db) as refused:
        report = service.import_participants(db, who, course_id, path.read_bytes(), dry_run=False, filename=filename,
                                             lawful_basis_confirmed=lawful_basis_confirmed == "on")
    if refused:
        err = refused.error
        return _page(request, db, who, course_id, error=err.message, status_code=err.status)
    if report.errors:
        db.rollback()
        return _page(request, db, who, course_id, report=report, status_code=422)
    path.unlink(missing_ok=True)
    return redirect(f"/courses/{course_id}/past#participants",
                    f"Đã ghi {report.new_people + report.known_people} người tham dự.")


@router.post("/courses/{course_id}/past/finish")
def finish(course_id: int, request: Request, db: DbSession, who: Staff) -> Response:
    with form_action(db) as refused:
        service.finish(db, who, course_id)
    if refused:
        err = refused.error
        return _page(request, db, who, course_id, error=err.message, status_code=err.status)
    return redirect(f"/courses/{course_id}/certificates", "Khoá học đã kết thúc; hãy cấp giấy chứng nhận.")
