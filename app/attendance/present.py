"""What the attendance pages and the API answer alike: the sign-in sheets (PDF) and the marks template (XLSX)."""
from __future__ import annotations

from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.attendance import marks_import, service
from app.attendance.sheet import SheetData, SheetRow, sign_in_sheets
from app.auth.principal import Principal
from app.core.files import PDF, XLSX
from app.errors import NotFound
from app.people import reference
from app.places import service as places
from app.web import download


def session_of(g: service.Grid, session_id: int):  # noqa: ANN201 - a CourseSession of the grid
    """The grid's session `session_id`, or 404 (a session of another course is not this course's)."""
    s = next((x for x in g.sessions if x.id == session_id), None)
    if s is None:
        raise NotFound("Không tìm thấy buổi học.", code="session_not_found")
    return s


def _organisation(t) -> str:  # noqa: ANN001
    return reference.by_code(reference.ORGANISATION_TYPES, t.organisation_type).vi


def _sheet_data(g: service.Grid, s) -> SheetData:  # noqa: ANN001
    return SheetData(course_code=g.course.code, course_title=g.course.title,
                     session_label=f"{s.session_date:%d/%m/%Y}, {s.start_time:%H:%M}–{s.end_time:%H:%M}",
                     place=", ".join(x for x in (s.room, g.course.venue) if x) or "—",
                     organising_body=g.course.organising_body,
                     rows=[SheetRow(t.full_name, t.organisation_type and _organisation(t), places.path_label(t.unit))
                           for _, t in g.rows])


def sheet_response(db: Session, who: Principal, course_id: int, session_id: int) -> Response:
    """One session's sign-in sheet."""
    g = service.grid(db, who, course_id)
    s = session_of(g, session_id)
    return download(sign_in_sheets([_sheet_data(g, s)]), f"ky-ten-{g.course.code}-{s.id}.pdf", PDF, inline=True)


def course_sheet_response(db: Session, who: Principal, course_id: int) -> Response:
    """Every session's sign-in sheet in one PDF."""
    g = service.grid(db, who, course_id)
    if not g.sessions:
        raise NotFound("Khoá học chưa có buổi học nào.", code="session_not_found")
    return download(sign_in_sheets([_sheet_data(g, s) for s in g.sessions]), f"ky-ten-{g.course.code}.pdf", PDF,
                    inline=True)


def marks_template_response(db: Session, who: Principal, course_id: int) -> Response:
    """The spreadsheet to fill in offline and import: the class list, a column per session."""
    return download(marks_import.template_xlsx(db, who, course_id), f"diem-danh-{course_id}.xlsx", XLSX)
