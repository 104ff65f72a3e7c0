"""JSON API: the attendance grid, marks in bulk or from a spreadsheet, undo, self check-in, the completion list
and recording the results, the sign-in sheets."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from app.attendance import marks_import, present, service
from app.attendance.schemas import (
    AssessmentIn,
    CheckInIn,
    CheckInOut,
    CodeOut,
    CompletionRow,
    GridOut,
    GridRow,
    MarksIn,
    ResultsOut,
)
from app.auth.permissions import SignedIn
from app.config import get_settings
from app.core.files import XLSX
from app.db import DbSession, Route

router = APIRouter(route_class=Route, prefix="/api/v1/courses", tags=["attendance"])
check_in_router = APIRouter(route_class=Route, prefix="/api/v1/sessions", tags=["attendance"])


@router.get("/{course_id}/attendance", response_model=GridOut)
def read_grid(course_id: int, db: DbSession, who: SignedIn) -> GridOut:
    g = service.grid(db, who, course_id)
    return GridOut(sessions=[s.id for s in g.sessions], rows=[
        GridRow(enrolment_id=e.id, full_name=t.full_name,
                marks={s.id: g.marks[(s.id, e.id)].status for s in g.sessions if (s.id, e.id) in g.marks})
        for e, t in g.rows])


@router.post("/{course_id}/attendance", response_model=dict)
def record(course_id: int, body: MarksIn, db: DbSession, who: SignedIn) -> dict:
    """Record or correct marks in bulk; all or nothing; every change keeps its history in the audit trail."""
    changed = service.record_marks(db, who, course_id, [m.model_dump() for m in body.marks], method="roll_call")
    return {"changed": changed}


@router.get("/{course_id}/completion", response_model=list[CompletionRow])
def completion(course_id: int, db: DbSession, who: SignedIn) -> list[CompletionRow]:
    """Everyone on the course by the course's own rule; `status` is what is recorded on the enrolment."""
    return [CompletionRow(enrolment_id=e.id, full_name=t.full_name, status=e.status,
                          assessment_passed=e.assessment_passed, completed=c.completed, attended=c.attended,
                          sessions=c.sessions, share=c.share, reason_vi=c.reason_vi, reason_en=c.reason_en)
            for e, t, c in service.completion_list(db, who, course_id)]


@router.post("/{course_id}/completion/record", response_model=ResultsOut)
def record_results(course_id: int, db: DbSession, who: SignedIn) -> ResultsOut:
    """Write completed / not completed onto every enrolment (run again after a correction to recompute)."""
    done, not_done = service.record_results(db, who, course_id)
    return ResultsOut(completed=done, not_completed=not_done)


@router.put("/{course_id}/enrolments/{enrolment_id}/assessment", response_model=dict)
def set_assessment(course_id: int, enrolment_id: int, body: AssessmentIn, db: DbSession, who: SignedIn) -> dict:
    e = service.set_assessment(db, who, course_id, enrolment_id, body.passed)
    return {"enrolment_id": e.id, "assessment_passed": e.assessment_passed}


@router.delete("/{course_id}/attendance/{session_id}/{enrolment_id}", response_model=dict)
def unmark(course_id: int, session_id: int, enrolment_id: int, db: DbSession, who: SignedIn) -> dict:
    """Undo a mark; the audit trail keeps what it was."""
    return {"removed": service.unmark(db, who, course_id, session_id, enrolment_id)}


@router.post("/{course_id}/attendance/import", responses={422: {"description": "errors by row; nothing recorded"}})
def import_marks(course_id: int, db: DbSession, who: SignedIn, file: Annotated[UploadFile, File()],
                       dry_run: Annotated[bool, Query()] = True) -> JSONResponse:
    """Marks from an .xlsx/.csv (columns Số CCCD, Buổi, Điểm danh, optional Họ và tên, Ghi chú); all or nothing."""
    content = file.file.read(get_settings().import_max_bytes + 1)
    report = marks_import.import_marks(db, who, course_id, content, dry_run=dry_run, filename=file.filename or "")
    return JSONResponse(report.as_dict(), status_code=422 if report.errors else 200)


@router.get("/{course_id}/attendance/template.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}}})
def marks_template(course_id: int, db: DbSession, who: SignedIn) -> Response:
    return present.marks_template_response(db, who, course_id)


@router.get("/{course_id}/sessions/{session_id}/check-in-code", response_model=CodeOut)
def check_in_code(course_id: int, session_id: int, db: DbSession, who: SignedIn) -> CodeOut:
    """The code the trainer's screen shows now (it changes every `period_seconds`)."""
    code, url = service.current_code(db, who, course_id, session_id)
    return CodeOut(code=code, url=url, period_seconds=service.rules.CODE_PERIOD)


@check_in_router.post("/{session_id}/check-in", response_model=CheckInOut,
                      responses={409: {"description": "refused, with the reason in `code` and `detail`"}})
def check_in(session_id: int, body: CheckInIn, db: DbSession, who: SignedIn) -> CheckInOut:
    """Check yourself in with the code scanned from the trainer's screen. A second scan answers the same."""
    r = service.check_in(db, who, session_id, body.code)
    return CheckInOut(session_id=session_id, status=r.mark.status, recorded_at=r.mark.recorded_at.isoformat(),
                      already=r.already)


@router.get("/{course_id}/sign-in-sheet.pdf", response_class=Response)
def course_sheet(course_id: int, db: DbSession, who: SignedIn) -> Response:
    """Every session's sign-in sheet in one file."""
    return present.course_sheet_response(db, who, course_id)


@router.get("/{course_id}/sessions/{session_id}/sign-in-sheet.pdf", response_class=Response)
def sheet(course_id: int, session_id: int, db: DbSession, who: SignedIn) -> Response:
    return present.sheet_response(db, who, course_id, session_id)
