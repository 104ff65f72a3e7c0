"""Course pages: list, create from a curriculum, detail with local additions."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from app.auth.permissions import SignedIn, Staff
from app.courses import present, service
from app.curricula import present as curricula_present
from app.curricula import service as curricula
from app.db import DbSession
from app.errors import DomainError, Invalid
from app.web import redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/courses")
def courses_page(request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    return render(request, "courses/list.html", {"courses": service.visible_courses(db, who)})


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
    try:
        course = service.create_course(db, who, curriculum_code=curriculum, title=title, unit_key=unit or None)
    except DomainError as err:
        return _form(request, db, {"curriculum": curriculum, "title": title, "unit": unit}, err)
    return redirect(f"/courses/{course.id}", f"Đã tạo khoá học {course.code}.")


@router.get("/courses/{course_id}")
def course_page(course_id: int, request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    course = service.get_course(db, who, course_id)
    return render(request, "courses/detail.html", {"course": course, "topics": present.topics,
                                                   "may_manage": who.is_admin or who.role == "organiser"})


@router.post("/courses/{course_id}/modules")
def add_local_module(course_id: int, request: Request, db: DbSession, who: Staff,
                     title: Annotated[str, Form()] = "", theory_hours: Annotated[str, Form()] = "",
                     practice_hours: Annotated[str, Form()] = "0") -> Response:
    try:
        theory = _hours(theory_hours, "theory_hours")
        practice = _hours(practice_hours or "0", "practice_hours")
        service.add_local_module(db, who, course_id, title=title, theory_hours=theory, practice_hours=practice)
    except DomainError as err:
        return redirect(f"/courses/{course_id}", err.message, "error")
    return redirect(f"/courses/{course_id}", "Đã thêm chuyên đề địa phương.")


@router.post("/courses/{course_id}/modules/{module_id}/topics")
def add_local_topic(course_id: int, module_id: int, db: DbSession, who: Staff,
                    title: Annotated[str, Form()] = "") -> Response:
    try:
        service.add_local_topic(db, who, course_id, module_id, title=title)
    except DomainError as err:
        return redirect(f"/courses/{course_id}", err.message, "error")
    return redirect(f"/courses/{course_id}", "Đã thêm nội dung địa phương.")


def _hours(raw: str, field: str) -> float:
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise Invalid("hours_invalid", f"Số giờ “{raw}” không phải là một số.", field=field) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise Invalid("hours_invalid", "Số giờ không hợp lệ.", field=field)
    return value
