"""JSON API: the attendance grid, marks in bulk, the completion list, the sign-in sheet."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from app.attendance import service
from app.attendance.pages import sheet_response
from app.auth.permissions import SignedIn
from app.db import DbSession

router = APIRouter(prefix="/api/v1/courses", tags=["attendance"])


class MarkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: int
    enrolment_id: int
    status: str = Field(pattern="^(present|late|excused|absent)$")
    note: str | None = Field(default=None, max_length=500)


class MarksIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    marks: list[MarkIn] = Field(min_length=1, max_length=5000)


class GridRow(BaseModel):
    enrolment_id: int
    full_name: str
    marks: dict[int, str]


class GridOut(BaseModel):
    sessions: list[int]
    rows: list[GridRow]


class CompletionRow(BaseModel):
    full_name: str
    completed: bool
    attended: int
    sessions: int
    share: float
    reason_vi: str
    reason_en: str


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
    return [CompletionRow(full_name=t.full_name, completed=c.completed, attended=c.attended, sessions=c.sessions,
                          share=c.share, reason_vi=c.reason_vi, reason_en=c.reason_en)
            for t, c in service.completion_list(db, who, course_id)]


@router.get("/{course_id}/sessions/{session_id}/sign-in-sheet.pdf", response_class=Response)
def sheet(course_id: int, session_id: int, db: DbSession, who: SignedIn) -> Response:
    return sheet_response(db, who, course_id, session_id)
