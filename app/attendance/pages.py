"""Roll call on a phone: one tap per person (HTMX), everyone present at once, live counts; the sign-in sheet."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from app.attendance import rules, service
from app.attendance.sheet import SheetData, SheetRow, sign_in_sheet
from app.auth.permissions import SignedIn
from app.core.text import fold
from app.db import DbSession
from app.errors import NotFound
from app.people import reference
from app.places import service as places
from app.web import render

router = APIRouter(include_in_schema=False)


def _session(g: service.Grid, session_id: int):  # noqa: ANN202
    s = next((x for x in g.sessions if x.id == session_id), None)
    if s is None:
        raise NotFound("Không tìm thấy buổi học.", code="session_not_found")
    return s


def _roll(request: Request, db: DbSession, who, course_id: int, session_id: int, q: str = "") -> HTMLResponse:  # noqa: ANN001
    g = service.grid(db, who, course_id)
    s = _session(g, session_id)
    marks = {e.id: g.marks.get((s.id, e.id)) for e, _ in g.rows}
    counts = {m: sum(1 for x in marks.values() if x and x.status == m) for m in rules.Mark}
    rows = [(e, t) for e, t in g.rows if not q or fold(q) in t.search_name]
    return render(request, "attendance/roll_call.html",
                  {"course": g.course, "s": s, "rows": rows, "marks": marks, "counts": counts, "q": q,
                   "labels": rules.MARK_LABELS, "total": len(g.rows)}, block="roll")


@router.get("/courses/{course_id}/sessions/{session_id}/roll-call")
def roll_call(course_id: int, session_id: int, request: Request, db: DbSession, who: SignedIn,
              q: str = "") -> HTMLResponse:
    return _roll(request, db, who, course_id, session_id, q[:100])


@router.post("/courses/{course_id}/sessions/{session_id}/roll-call")
def mark(course_id: int, session_id: int, request: Request, db: DbSession, who: SignedIn,
         status: Annotated[str, Form()], enrolment_id: Annotated[str, Form()] = "",
         q: Annotated[str, Form(max_length=100)] = "") -> HTMLResponse:
    """One tap (one person) or "everyone present" (no enrolment id: everyone not yet marked)."""
    g = service.grid(db, who, course_id)
    _session(g, session_id)
    if enrolment_id.isdigit():
        targets = [int(enrolment_id)]
    else:
        targets = [e.id for e, _ in g.rows if (session_id, e.id) not in g.marks]
    if targets:
        service.record_marks(db, who, course_id, [{"session_id": session_id, "enrolment_id": t, "status": status}
                                                  for t in targets])
    return _roll(request, db, who, course_id, session_id, q)


def sheet_response(db: DbSession, who, course_id: int, session_id: int) -> Response:  # noqa: ANN001
    g = service.grid(db, who, course_id)
    s = _session(g, session_id)
    data = SheetData(course_code=g.course.code, course_title=g.course.title,
                     session_label=f"{s.session_date:%d/%m/%Y}, {s.start_time:%H:%M}–{s.end_time:%H:%M}",
                     place=", ".join(x for x in (s.room, g.course.venue) if x) or "—",
                     organising_body=g.course.organising_body,
                     rows=[SheetRow(t.full_name, t.organisation_type and _org(t), places.path_label(t.unit))
                           for _, t in g.rows])
    return Response(sign_in_sheet(data), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="ky-ten-{g.course.code}-{s.id}.pdf"'})


def _org(t) -> str:  # noqa: ANN001
    return reference.by_code(reference.ORGANISATION_TYPES, t.organisation_type).vi


@router.get("/courses/{course_id}/sessions/{session_id}/sign-in-sheet.pdf")
def sheet(course_id: int, session_id: int, db: DbSession, who: SignedIn) -> Response:
    return sheet_response(db, who, course_id, session_id)
