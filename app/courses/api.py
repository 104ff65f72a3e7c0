"""JSON API for courses."""
from __future__ import annotations

from fastapi import APIRouter

from app.auth.permissions import SignedIn, Staff
from app.courses import present, service
from app.courses.schemas import (
    CourseCreate,
    CourseDetail,
    CourseModuleOut,
    CoursePage,
    LocalModuleCreate,
    LocalTopicCreate,
)
from app.db import DbSession

router = APIRouter(prefix="/api/v1/courses", tags=["courses"])


@router.get("", response_model=CoursePage)
def list_courses(db: DbSession, who: SignedIn) -> CoursePage:
    items = [present.course_out(c) for c in service.visible_courses(db, who)]
    return CoursePage(items=items, total=len(items))


@router.post("", response_model=CourseDetail, status_code=201)
def create_course(body: CourseCreate, db: DbSession, who: Staff) -> CourseDetail:
    course = service.create_course(db, who, curriculum_code=body.curriculum, title=body.title, unit_key=body.unit,
                                   version=body.curriculum_version)
    return present.course_detail(course)


@router.get("/{course_id}", response_model=CourseDetail)
def get_course(course_id: int, db: DbSession, who: SignedIn) -> CourseDetail:
    return present.course_detail(service.get_course(db, who, course_id))


@router.post("/{course_id}/modules", response_model=CourseModuleOut, status_code=201)
def add_local_module(course_id: int, body: LocalModuleCreate, db: DbSession, who: Staff) -> CourseModuleOut:
    service.add_local_module(db, who, course_id, title=body.title, theory_hours=body.theory_hours,
                             practice_hours=body.practice_hours, required=body.required)
    course = service.get_course(db, who, course_id)
    return present.course_detail(course).modules[-1]


@router.post("/{course_id}/modules/{module_id}/topics", response_model=CourseModuleOut, status_code=201)
def add_local_topic(course_id: int, module_id: int, body: LocalTopicCreate, db: DbSession,
                    who: Staff) -> CourseModuleOut:
    service.add_local_topic(db, who, course_id, module_id, title=body.title)
    course = service.get_course(db, who, course_id)
    return next(m for m in present.course_detail(course).modules if m.id == module_id)
