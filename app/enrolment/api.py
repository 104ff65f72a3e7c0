"""JSON API for enrolments."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from app.auth.permissions import SignedIn, Staff
from app.config import get_settings
from app.db import DbSession, Route
from app.enrolment import listimport, present, service
from app.enrolment.models import Enrolment
from app.enrolment.schemas import (
    BulkIn,
    DecisionIn,
    EnrolmentOut,
    EnrolmentPage,
    MyEnrolment,
    ReasonOut,
    RegisterIn,
    WithdrawIn,
)
from app.people.models import Trainee

router = APIRouter(route_class=Route, prefix="/api/v1", tags=["enrolment"])


def out(e: Enrolment, t: Trainee) -> EnrolmentOut:
    return EnrolmentOut(id=e.id, course_id=e.course_id, trainee_id=t.id, full_name=t.full_name,
                        unit_name=service.unit_name(t), status=e.status,
                        waitlist_position=e.waitlist_position, reasons=[ReasonOut(**r) for r in e.reasons],
                        registered_at=e.registered_at, nominated=e.nominated_by_id is not None)


@router.get("/courses/{course_id}/enrolments", response_model=EnrolmentPage)
def list_enrolments(course_id: int, db: DbSession, who: Staff,
                    status: Annotated[str | None, Query(pattern="^(pending|confirmed|waitlisted|rejected|withdrawn|"
                                                               "completed|not_completed)$")] = None) -> EnrolmentPage:
    rows = service.course_enrolments(db, who, course_id, status)
    return EnrolmentPage(items=[out(e, t) for e, t in rows], total=len(rows), counts=service.counts(db, course_id))


@router.post("/courses/{course_id}/enrolments", response_model=EnrolmentOut, status_code=201,
             responses={200: {"description": "already registered: the existing enrolment"},
                        409: {"description": "not eligible, with `reasons`"}})
def register(course_id: int, body: RegisterIn, db: DbSession, who: SignedIn) -> Response:
    """Register yourself, or (organisers) nominate `trainee_id`. Asking again returns the same enrolment (200)."""
    e, t, created = service.register_once(db, who, course_id, body.trainee_id, body.reason, finish=True)
    return JSONResponse(out(e, t).model_dump(mode="json"), status_code=201 if created else 200)


@router.post("/courses/{course_id}/enrolments/bulk", response_model=list[EnrolmentOut], status_code=201)
def nominate_many(course_id: int, body: BulkIn, db: DbSession, who: Staff) -> list[EnrolmentOut]:
    """Enrol a list; if anyone cannot be enrolled, no one is (409 names them)."""
    return [out(e, db.get(Trainee, e.trainee_id)) for e in service.nominate_many(db, who, course_id,
                                                                                 body.trainee_ids, body.reason)]


@router.post("/courses/{course_id}/enrolments/import", responses={422: {"description": "errors by row; nothing"
                                                                                          " was enrolled"}})
def import_list(course_id: int, db: DbSession, who: Staff, file: Annotated[UploadFile, File()],
                      dry_run: Annotated[bool, Query()] = True) -> JSONResponse:
    """Enrol the people listed in an .xlsx/.csv (column `Số CCCD`, optional `Họ và tên`). `dry_run` (default)
    shows who would be confirmed or waitlisted; any error enrols no one (422)."""
    content = file.file.read(get_settings().import_max_bytes + 1)
    report = listimport.enrol_from_file(db, who, course_id, content, dry_run=dry_run, filename=file.filename or "")
    return JSONResponse(report.as_dict(), status_code=422 if report.errors else 200)


@router.post("/courses/{course_id}/enrolments/allocate", response_model=EnrolmentPage)
def allocate(course_id: int, db: DbSession, who: Staff) -> EnrolmentPage:
    service.allocate(db, who, course_id)
    rows = service.course_enrolments(db, who, course_id)
    return EnrolmentPage(items=[out(e, t) for e, t in rows], total=len(rows), counts=service.counts(db, course_id))


@router.get("/courses/{course_id}/enrolments/export.xlsx", response_class=Response)
def export(course_id: int, db: DbSession, who: Staff) -> Response:
    return present.class_list_response(db, who, course_id)


@router.post("/enrolments/{enrolment_id}/withdraw", response_model=EnrolmentOut)
def withdraw(enrolment_id: int, body: WithdrawIn, db: DbSession, who: SignedIn) -> EnrolmentOut:
    e = service.withdraw(db, who, enrolment_id, body.reason)
    return out(e, db.get(Trainee, e.trainee_id))


@router.post("/enrolments/{enrolment_id}/decision", response_model=EnrolmentOut)
def decide(enrolment_id: int, body: DecisionIn, db: DbSession, who: Staff) -> EnrolmentOut:
    e = service.decide(db, who, enrolment_id, body.status, body.reason)
    return out(e, db.get(Trainee, e.trainee_id))


@router.get("/me/enrolments", response_model=list[MyEnrolment])
def my_enrolments(db: DbSession, who: SignedIn) -> list[MyEnrolment]:
    return [MyEnrolment(enrolment_id=e.id, course_id=c.id, course_code=c.code, course_title=c.title,
                        start_date=c.start_date, status=e.status, waitlist_position=e.waitlist_position,
                        reasons=[ReasonOut(**r) for r in e.reasons]) for e, c in service.my_enrolments(db, who)]

