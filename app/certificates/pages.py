"""Certificate pages: the course's certificates tab, a trainee's certificates, and the public verify page."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response

from app.auth.permissions import Public, SignedIn, Staff, client_ip
from app.certificates import present, rules, service
from app.courses import service as courses
from app.courses.present import course_tab
from app.db import DbSession, Route
from app.error_handlers import wants_json
from app.errors import DomainError
from app.jobs import service as jobs
from app.jobs.models import Job
from app.places.models import AdminUnit
from app.signing import service as signing
from app.web import form_action, redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)
MAX_CHECK_BYTES = 20 * 1024 * 1024


@router.get("/courses/{course_id}/certificates")
def tab(course_id: int, request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    course = courses.get_course(db, who, course_id)
    rows = service.course_certificates(db, who, course_id)
    completed = service.completed_without_certificate(db, course_id)
    return render(request, "certificates/tab.html", {**course_tab(db, who, course), "tab": "certificates",
                                                     "rows": rows, "waiting": completed,
                                                     "revoke_categories": rules.REVOKE_CATEGORIES})


@router.post("/courses/{course_id}/certificates")
def issue_all(course_id: int, request: Request, background: BackgroundTasks, db: DbSession, who: Staff) -> Response:
    back = f"/courses/{course_id}/certificates"
    with form_action(db) as refused:
        report = service.start_issue(db, who, course_id)
    if refused:
        return redirect(back, refused.message, "error")
    if isinstance(report, Job):
        jobs.schedule(background, request.app.state, report, who)
        return redirect(f"/jobs/{report.id}")
    if not report.issued:
        return redirect(back, "Không có ai mới để cấp: chỉ cấp cho người đã hoàn thành và chưa có giấy chứng nhận.",
                        "error")
    return redirect(back, f"Đã cấp {len(report.issued)} giấy chứng nhận.")


@router.get("/courses/{course_id}/certificates.pdf")
def all_pdf(course_id: int, db: DbSession, who: Staff) -> Response:
    return present.course_pdf(db, who, course_id)


@router.get("/courses/{course_id}/certificates.zip")
def all_zip(course_id: int, db: DbSession, who: Staff) -> Response:
    return present.course_zip(db, who, course_id)


@router.post("/certificates/{certificate_id}/revoke")
def revoke(certificate_id: int, db: DbSession, who: Staff, reason: Annotated[str, Form(max_length=1000)] = "",
           category: Annotated[str, Form(max_length=20)] = "other",
           public_note: Annotated[str, Form(max_length=1000)] = "", reissue: Annotated[str, Form()] = "") -> Response:
    c = service.get_for(db, who, certificate_id)
    back = f"/courses/{c.course_id}/certificates"
    with form_action(db) as refused:
        old, new = service.revoke(db, who, certificate_id, reason, category=category, public_note=public_note,
                                  reissue=reissue == "on")
    if refused:  # nothing of it stays: a refused reissue leaves the certificate valid
        return redirect(back, refused.message, "error")
    message = f"Đã thu hồi giấy chứng nhận số {old.number}" + (f" và cấp lại số {new.number}." if new else ".")
    return redirect(back, message)


@router.get("/certificates/print")
def print_page(request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    """Print the certificates of a commune or province for a period (a background job)."""
    today = date.today()
    return render(request, "certificates/print.html", {
        "own_unit": db.get(AdminUnit, who.unit_id).key if who.unit_id else "", "date_from": date(today.year, 1, 1),
        "date_to": today})


@router.post("/certificates/print")
def print_start(request: Request, background: BackgroundTasks, db: DbSession, who: Staff,
                unit: Annotated[str, Form(max_length=16)], date_from: Annotated[date, Form()],
                date_to: Annotated[date, Form()], fmt: Annotated[str, Form(pattern="^(pdf|zip)$")] = "pdf"
                ) -> Response:
    with form_action(db) as refused:
        job = service.start_print(db, who, service.PrintRequest(unit.strip(), date_from, date_to, fmt))
    if refused:
        return redirect("/certificates/print", refused.message, "error")
    jobs.schedule(background, request.app.state, job, who)
    return redirect(f"/jobs/{job.id}")


@router.get("/certificates/{certificate_id}.pdf")
def download(certificate_id: int, db: DbSession, who: SignedIn) -> Response:
    return present.certificate_file(db, who, certificate_id)


@router.get("/my-certificates")
def my_certificates(request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    return render(request, "certificates/mine.html", {"rows": service.mine(db, who)})


@router.get("/verify/{code}")
def verify(code: str, request: Request, db: DbSession, who: Public) -> Response:
    """Anyone who scans the QR: genuine or not, valid or revoked, and what it says (JSON with Accept)."""
    service.throttle(db, client_ip(request))
    try:
        c = service.verify(db, code[:64])
    except DomainError as err:
        db.rollback()  # keep nothing of the failed look-up but its count against the caller's budget
        service.throttle(db, client_ip(request))
        if wants_json(request):
            return JSONResponse({"genuine": False, "detail": err.message, "code": err.code}, status_code=404)
        return render(request, "certificates/verify.html", {"view": None, "code": code[:64]}, status_code=404)
    view = service.public_view(db, c)
    if wants_json(request):
        return JSONResponse(view)
    return render(request, "certificates/verify.html", {"view": view, "code": c.code})


@router.post("/verify/{code}")
def verify_file(code: str, request: Request, db: DbSession, who: Public,
                file: Annotated[UploadFile, File()]) -> Response:
    """Is this file the one issued? Compares the uploaded PDF's SHA-256 with the one recorded at issue, and checks
    its digital signatures (valid, who signed, when, changed since). Not async: checking signatures takes CPU."""
    service.throttle(db, client_ip(request))
    c = service.verify(db, code[:64])
    content = file.file.read(MAX_CHECK_BYTES + 1)
    same = service.matches_file(c, content)
    return render(request, "certificates/verify.html", {"view": service.public_view(db, c), "code": c.code,
                                                        "file_checked": True, "file_matches": same,
                                                        "signatures": signing.check_file(db, content)})
