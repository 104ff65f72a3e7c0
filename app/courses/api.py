"""JSON API for courses: plan, sessions, lecturers, budget, life cycle, checks."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.auth import permissions
from app.auth.permissions import SignedIn, Staff
from app.courses import present, rules, service, sessions
from app.courses.schemas import (
    BudgetLineIn,
    BudgetLineOut,
    ChecksOut,
    CopyIn,
    CourseCreate,
    CourseModuleOut,
    CoursePage,
    CoursePlan,
    CourseUpdate,
    LecturerIn,
    LecturerOut,
    LocalModuleCreate,
    LocalTopicCreate,
    SessionIn,
    SessionOut,
    SessionPage,
    TransitionIn,
)
from app.db import DbSession, Route, utcnow

router = APIRouter(route_class=Route, prefix="/api/v1", tags=["courses"])


def course_filters(curriculum: Annotated[str | None, Query(max_length=16)] = None,
                   unit: Annotated[str | None, Query(max_length=12, description="place key")] = None,
                   status: Annotated[str | None, Query(pattern="^(draft|open|running|finished|closed|cancelled)$")]
                   = None, date_from: date | None = None, date_to: date | None = None,
                   q: Annotated[str, Query(max_length=100)] = "") -> service.CourseFilters:
    return service.CourseFilters(curriculum=curriculum, unit=unit, status=status, date_from=date_from,
                                 date_to=date_to, q=q)


@router.get("/courses", response_model=CoursePage)
def list_courses(db: DbSession, who: SignedIn,
                 f: Annotated[service.CourseFilters, Depends(course_filters)]) -> CoursePage:
    items = [present.course_out(c) for c in service.visible_courses(db, who, f)]
    return CoursePage(items=items, total=len(items))


@router.post("/courses", response_model=CoursePlan, status_code=201)
def create_course(body: CourseCreate, db: DbSession, who: Staff) -> CoursePlan:
    course = service.create_course(db, who, curriculum_code=body.curriculum, title=body.title, unit_key=body.unit,
                                   version=body.curriculum_version, programme=body.programme)
    return present.course_plan(course)


@router.get("/courses/{course_id}", response_model=CoursePlan)
def get_course(course_id: int, db: DbSession, who: SignedIn) -> CoursePlan:
    """The course's plan; its budget lines only for those who manage it (an empty list for anyone else)."""
    course = service.get_course(db, who, course_id)
    return present.course_plan(course, service.quotas_of(db, course_id),
                               with_budget=permissions.may_see_budget(db, who, course))


@router.patch("/courses/{course_id}", response_model=CoursePlan)
def update_course(course_id: int, body: CourseUpdate, db: DbSession, who: Staff) -> CoursePlan:
    changes = body.model_dump(exclude_unset=True)
    place_keys = changes.pop("places", None)
    quotas = changes.pop("quotas", None)
    service.update_course(db, who, course_id, changes)
    if place_keys is not None:
        service.set_places(db, who, course_id, place_keys)
    if quotas is not None:
        service.set_quotas(db, who, course_id, quotas)
    return present.course_plan(service.get_course(db, who, course_id), service.quotas_of(db, course_id))


@router.get("/courses/{course_id}/checks", response_model=ChecksOut)
def course_checks(course_id: int, db: DbSession, who: Staff) -> ChecksOut:
    """Everything that would stop the course from opening: coverage, session problems, clashes."""
    course = service.get_course(db, who, course_id)
    ch = service.checks(db, course)
    ready = rules.transition_problems(service.facts(course), rules.Status.OPEN, utcnow().date(), ch.conflicts)
    return present.checks_out(ch, ready if course.status == rules.Status.DRAFT else [])


@router.post("/courses/{course_id}/transitions", response_model=CoursePlan)
def transition(course_id: int, body: TransitionIn, db: DbSession, who: Staff) -> CoursePlan:
    """Move along draft → open → running → finished → closed (or cancelled, with a reason). 409 lists every
    missing precondition in `problems`."""
    service.transition(db, who, course_id, body.target, body.reason)
    return present.course_plan(service.get_course(db, who, course_id), service.quotas_of(db, course_id))


@router.post("/courses/{course_id}/copy", response_model=CoursePlan, status_code=201)
def copy_course(course_id: int, body: CopyIn, db: DbSession, who: Staff) -> CoursePlan:
    return present.course_plan(service.copy_course(db, who, course_id, body.title))


@router.post("/courses/{course_id}/modules", response_model=CourseModuleOut, status_code=201)
def add_local_module(course_id: int, body: LocalModuleCreate, db: DbSession, who: Staff) -> CourseModuleOut:
    service.add_local_module(db, who, course_id, title=body.title, theory_hours=body.theory_hours,
                             practice_hours=body.practice_hours, required=body.required)
    course = service.get_course(db, who, course_id)
    return present.course_detail(course).modules[-1]


@router.post("/courses/{course_id}/modules/{module_id}/topics", response_model=CourseModuleOut, status_code=201)
def add_local_topic(course_id: int, module_id: int, body: LocalTopicCreate, db: DbSession,
                    who: Staff) -> CourseModuleOut:
    service.add_local_topic(db, who, course_id, module_id, title=body.title)
    course = service.get_course(db, who, course_id)
    return next(m for m in present.course_detail(course).modules if m.id == module_id)


@router.get("/courses/{course_id}/sessions", response_model=SessionPage)
def list_sessions(course_id: int, db: DbSession, who: SignedIn) -> SessionPage:
    course = service.get_course(db, who, course_id)
    return SessionPage(items=[present.session_out(s) for s in course.sessions], total=len(course.sessions))


def _session_input(body: SessionIn) -> sessions.SessionInput:
    return sessions.SessionInput(**body.model_dump())


@router.post("/courses/{course_id}/sessions", response_model=SessionOut, status_code=201)
def add_session(course_id: int, body: SessionIn, db: DbSession, who: Staff) -> SessionOut:
    s = sessions.add_session(db, who, course_id, _session_input(body))
    course = service.get_course(db, who, course_id)
    return present.session_out(next(x for x in course.sessions if x.id == s.id))


@router.put("/courses/{course_id}/sessions/{session_id}", response_model=SessionOut)
def update_session(course_id: int, session_id: int, body: SessionIn, db: DbSession, who: Staff) -> SessionOut:
    sessions.update_session(db, who, course_id, session_id, _session_input(body))
    course = service.get_course(db, who, course_id)
    return present.session_out(next(x for x in course.sessions if x.id == session_id))


@router.delete("/courses/{course_id}/sessions/{session_id}", status_code=204)
def delete_session(course_id: int, session_id: int, db: DbSession, who: Staff) -> Response:
    sessions.delete_session(db, who, course_id, session_id)
    return Response(status_code=204)


@router.post("/courses/{course_id}/budget", response_model=BudgetLineOut, status_code=201)
def add_budget_line(course_id: int, body: BudgetLineIn, db: DbSession, who: Staff) -> BudgetLineOut:
    line = service.add_budget_line(db, who, course_id, **body.model_dump())
    return BudgetLineOut(id=line.id, **body.model_dump())


@router.delete("/courses/{course_id}/budget/{line_id}", status_code=204)
def remove_budget_line(course_id: int, line_id: int, db: DbSession, who: Staff) -> Response:
    service.remove_budget_line(db, who, course_id, line_id)
    return Response(status_code=204)


@router.get("/lecturers", response_model=list[LecturerOut], tags=["lecturers"])
def list_lecturers(db: DbSession, who: Staff) -> list[LecturerOut]:
    return [LecturerOut.model_validate(x).model_copy(update={"has_account": x.user_id is not None})
            for x in sessions.lecturers(db, who)]


@router.post("/lecturers", response_model=LecturerOut, status_code=201, tags=["lecturers"])
def create_lecturer(body: LecturerIn, db: DbSession, who: Staff) -> LecturerOut:
    x = sessions.create_lecturer(db, who, **body.model_dump())
    return LecturerOut.model_validate(x).model_copy(update={"has_account": x.user_id is not None})
