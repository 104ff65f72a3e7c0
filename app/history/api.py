"""JSON API of past courses: record a course that already took place, its participants, and finish it. Its
sessions are added with the courses API (`POST /api/v1/courses/{id}/sessions`)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import JSONResponse

from app.auth.permissions import Staff
from app.config import get_settings
from app.courses import present as course_present
from app.courses import service as courses
from app.courses.schemas import CoursePlan
from app.db import DbSession, Route
from app.history import service
from app.history.schemas import ParticipantsIn, PastCourseCreate

router = APIRouter(route_class=Route, prefix="/api/v1", tags=["past courses"])


def _plan(db, who, course_id: int) -> CoursePlan:  # noqa: ANN001
    return course_present.course_plan(courses.get_course(db, who, course_id))


@router.post("/past-courses", response_model=CoursePlan, status_code=201)
def create(body: PastCourseCreate, db: DbSession, who: Staff) -> CoursePlan:
    """Step 1: a course that already took place (no registration window); it stays a draft while it is recorded."""
    course = service.create(db, who, service.PastCourseIn(**body.model_dump()))
    return _plan(db, who, course.id)


@router.post("/courses/{course_id}/past/participants", response_model=CoursePlan)
def record_participants(course_id: int, body: ParticipantsIn, db: DbSession, who: Staff) -> CoursePlan:
    """Step 3: people already on record, with the sessions each attended and the result."""
    service.record_participants(db, who, course_id, [p.model_dump() for p in body.participants])
    return _plan(db, who, course_id)


@router.post("/courses/{course_id}/past/participants/import",
             responses={422: {"description": "errors by row; nothing was written"}})
def import_participants(course_id: int, db: DbSession, who: Staff, file: Annotated[UploadFile, File()],
                        dry_run: Annotated[bool, Form()] = True,
                        lawful_basis_confirmed: Annotated[bool, Form()] = False) -> JSONResponse:
    """Step 3 from a spreadsheet of participants and marks; `dry_run` (default) only reports."""
    content = file.file.read(get_settings().import_max_bytes + 1)
    report = service.import_participants(db, who, course_id, content, dry_run=dry_run,
                                         lawful_basis_confirmed=lawful_basis_confirmed, filename=file.filename or "")
    return JSONResponse(report.as_dict(), status_code=422 if report.errors else 200)


@router.post("/courses/{course_id}/past/finish", response_model=CoursePlan)
def finish(course_id: int, db: DbSession, who: Staff) -> CoursePlan:
    """Step 4: completion by the course's rule, then straight to finished."""
    course = service.finish(db, who, course_id)
    return _plan(db, who, course.id)
