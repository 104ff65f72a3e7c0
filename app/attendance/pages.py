"""Attendance pages: roll call on a phone (one tap per person, HTMX, undo, everyone present, live counts), the
rotating QR code for self check-in and the trainee's scan page, the course's attendance tab (marks import,
completion list, recording results) and the sign-in sheets."""
from __future__ import annotations

from typing import Annotated

import segno
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from app.attendance import marks_import, present, rules, service
from app.auth.permissions import Public, SignedIn
from app.auth.principal import Principal
from app.config import get_settings
from app.cookies import SCAN_COOKIE
from app.core.text import fold, is_digits
from app.courses import service as courses
from app.courses.present import course_tab
from app.db import DbSession, Route
from app.errors import DomainError, Invalid
from app.web import form_action, redirect, render, stage, staged

router = APIRouter(route_class=Route, include_in_schema=False)
UNDO = "clear"


def _roll(request: Request, db: DbSession, who, course_id: int, session_id: int, q: str = "") -> HTMLResponse:  # noqa: ANN001
    g = service.grid(db, who, course_id)
    s = present.session_of(g, session_id)
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
    """One tap (one person), undo (status "clear"), or "everyone present" (no enrolment id: everyone not yet
    marked)."""
    g = service.grid(db, who, course_id)
    present.session_of(g, session_id)
    if enrolment_id and not is_digits(enrolment_id):  # never read as "no one named": that would mark everyone
        raise Invalid("enrolment_invalid", "Mã lượt đăng ký không hợp lệ.", field="enrolment_id")
    if status == UNDO and is_digits(enrolment_id):
        service.unmark(db, who, course_id, session_id, int(enrolment_id))
        return _roll(request, db, who, course_id, session_id, q)
    if is_digits(enrolment_id):
        targets = [int(enrolment_id)]
    else:
        targets = [e.id for e, _ in g.rows if (session_id, e.id) not in g.marks]
    if targets:
        service.record_marks(db, who, course_id, [{"session_id": session_id, "enrolment_id": t, "status": status}
                                                  for t in targets])
    return _roll(request, db, who, course_id, session_id, q)


@router.get("/courses/{course_id}/sessions/{session_id}/sign-in-sheet.pdf")
def sheet(course_id: int, session_id: int, db: DbSession, who: SignedIn) -> Response:
    return present.sheet_response(db, who, course_id, session_id)


@router.get("/courses/{course_id}/sign-in-sheet.pdf")
def course_sheet(course_id: int, db: DbSession, who: SignedIn) -> Response:
    return present.course_sheet_response(db, who, course_id)


# --- the course's attendance tab: per-session links, marks import, completion ------------------------------------


def _tab(request: Request, db: DbSession, who, course_id: int, extra: dict | None = None,  # noqa: ANN001
         status_code: int = 200) -> HTMLResponse:
    g = service.grid(db, who, course_id)
    course = courses.get_course(db, who, course_id)
    per_session = {s.id: {m: 0 for m in rules.Mark} for s in g.sessions}
    for (sid, _), m in g.marks.items():
        per_session[sid][m.status] += 1
    return render(request, "attendance/tab.html",
                  {**course_tab(db, who, course), "tab": "attendance", "g": g, "per_session": per_session,
                   "labels": rules.MARK_LABELS, "completions": service.completion_list(db, who, course_id),
                   "rule": service.course_rule(course), "report": None, **(extra or {})}, status_code=status_code)


@router.get("/courses/{course_id}/attendance")
def attendance_tab(course_id: int, request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    return _tab(request, db, who, course_id)


@router.get("/courses/{course_id}/attendance/template.xlsx")
def marks_template(course_id: int, db: DbSession, who: SignedIn) -> Response:
    return present.marks_template_response(db, who, course_id)


@router.post("/courses/{course_id}/attendance/import")
def marks_upload(course_id: int, request: Request, db: DbSession, who: SignedIn,
                       file: Annotated[UploadFile | None, File()] = None, token: Annotated[str, Form()] = "",
                       filename: Annotated[str, Form()] = "") -> Response:
    """Step 1 previews an uploaded file (nothing is written); step 2 records the previewed file by its token."""
    if file is not None and file.filename:
        content = file.file.read(get_settings().import_max_bytes + 1)
        report = marks_import.import_marks(db, who, course_id, content, dry_run=True, filename=file.filename)
        token = stage(content, report.errors)
        return _tab(request, db, who, course_id, {"report": report, "token": token, "filename": file.filename},
                    status_code=422 if report.errors else 200)
    path = staged(token)
    if path is None:
        return redirect(f"/courses/{course_id}/attendance", "Hãy chọn tệp để xem trước.", "error")
    report = marks_import.import_marks(db, who, course_id, path.read_bytes(), dry_run=False, filename=filename)
    if report.errors:
        return _tab(request, db, who, course_id, {"report": report, "token": "", "filename": filename},
                    status_code=422)
    path.unlink(missing_ok=True)
    return redirect(f"/courses/{course_id}/attendance",
                    f"Đã nhập {report.marks} lượt điểm danh ({report.changed} thay đổi).")


@router.post("/courses/{course_id}/completion/record")
def record_results(course_id: int, db: DbSession, who: SignedIn) -> Response:
    with form_action(db) as refused:
        done, not_done = service.record_results(db, who, course_id)
    if refused:
        return redirect(f"/courses/{course_id}/attendance", refused.message, "error")
    return redirect(f"/courses/{course_id}/attendance#completion",
                    f"Đã chốt kết quả: {done} người hoàn thành, {not_done} người chưa hoàn thành.")


@router.post("/courses/{course_id}/enrolments/{enrolment_id}/assessment")
def set_assessment(course_id: int, enrolment_id: int, db: DbSession, who: SignedIn,
                   passed: Annotated[str, Form(pattern="^(yes|no|unset)$")]) -> Response:
    service.set_assessment(db, who, course_id, enrolment_id, {"yes": True, "no": False}.get(passed))
    return redirect(f"/courses/{course_id}/attendance#completion")


# --- self check-in: the trainer's rotating QR, the trainee's scan ---------------------------------------------------


def _qr_block(request: Request, db: DbSession, who, course_id: int, session_id: int) -> HTMLResponse:  # noqa: ANN001
    g = service.grid(db, who, course_id)
    s = present.session_of(g, session_id)
    code, url = service.current_code(db, who, course_id, session_id)
    svg = segno.make(url, error="m").svg_inline(scale=8, border=2, dark="#111", light="#fff", omitsize=True,
                                                  title=f"QR {g.course.code}")
    checked = [(t, g.marks[(s.id, e.id)]) for e, t in g.rows if (s.id, e.id) in g.marks
               and g.marks[(s.id, e.id)].method == "check_in"]
    checked.sort(key=lambda x: x[1].recorded_at, reverse=True)
    return render(request, "attendance/check_in_screen.html",
                  {"course": g.course, "s": s, "svg": svg, "code": code, "url": url, "checked": checked,
                   "total": len(g.rows), "labels": rules.MARK_LABELS, "period": rules.CODE_PERIOD}, block="qr")


@router.get("/courses/{course_id}/sessions/{session_id}/check-in")
def check_in_screen(course_id: int, session_id: int, request: Request, db: DbSession, who: SignedIn
                    ) -> HTMLResponse:
    """The page the trainer projects: the code changes every few seconds (the block reloads itself)."""
    return _qr_block(request, db, who, course_id, session_id)




def _remember_scan(response: Response, request: Request, code: str) -> Response:
    """The moment of the scan, signed, on the phone that scanned (not in the address, so a forwarded link carries
    nothing); kept only for the check-in pages and SCAN_KEEPS_MINUTES."""
    now = service.utcnow()
    kept = service.scan_moment(request.cookies.get(SCAN_COOKIE), code)
    if kept is None or rules.judged_at(now, kept) == now:  # a reload within the time keeps the first moment
        response.set_cookie(SCAN_COOKIE, service.scan_token(code, now), max_age=rules.SCAN_KEEPS_MINUTES * 60,
                            path="/check-in/", httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return response


@router.get("/check-in/{code}")
def scan_page(code: str, request: Request, db: DbSession, who: Public) -> Response:
    """What a phone opens from the QR: the session and one button (the mark itself needs a POST), or why a
    check-in would be refused, or the earlier check-in. Public so that the scan is remembered before signing in:
    a signed-out phone is sent to the sign-in page and back here, and the code is judged as of the scan."""
    code = code[:100]
    if not who.is_authenticated:
        return _remember_scan(redirect(f"/login?next=/check-in/{code}"), request, code)
    scanned_at = service.scan_moment(request.cookies.get(SCAN_COOKIE), code)
    with form_action(db) as refused:
        s, course, already = service.may_check_in(db, who, code, scanned_at=scanned_at)
    if refused:
        return _scan_refused(request, db, who, code, refused.error, scanned_at)
    return _remember_scan(render(request, "attendance/scan.html", {"code": code, "s": s, "course": course,
                                                                    "done": already, "labels": rules.MARK_LABELS}),
                          request, code)


def _scan_refused(request: Request, db: DbSession, who: Principal, code: str, err: DomainError,
                  scanned_at=None) -> HTMLResponse:  # noqa: ANN001
    s, course, _ = service.scanned(db, who, code, rules.judged_at(service.utcnow(), scanned_at))
    return render(request, "attendance/scan.html", {"code": code, "s": s, "course": course, "refusal": err.message,
                                                    "at": getattr(err, "at", None)}, status_code=err.status)


@router.post("/check-in/{code}")
def scan_confirm(code: str, request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    code = code[:100]
    scanned_at = service.scan_moment(request.cookies.get(SCAN_COOKIE), code)
    with form_action(db) as refused:
        result = service.check_in(db, who, service.session_of_code(code) or 0, code, scanned_at=scanned_at)
    if refused:
        return _scan_refused(request, db, who, code, refused.error, scanned_at)
    return render(request, "attendance/scan.html", {"code": code, "s": result.session, "course": result.course,
                                                    "done": result, "labels": rules.MARK_LABELS})
