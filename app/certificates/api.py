"""JSON API for certificates: issue for a course, list, download one or all, revoke and reissue, my certificates."""
from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from app.auth.permissions import SignedIn, Staff
from app.certificates import present, rules, service
from app.certificates.models import Certificate
from app.certificates.schemas import CertificateOut, IssueIn, IssueOut, PrintIn, RevokeIn, RevokeOut
from app.db import DbSession, Route
from app.jobs import present as jobs_present
from app.jobs import service as jobs
from app.jobs.models import Job
from app.jobs.schemas import JobOut

router = APIRouter(route_class=Route, prefix="/api/v1", tags=["certificates"])


def out(c: Certificate, *, internal: bool = True) -> CertificateOut:
    """A certificate as the API shows it; `internal` (staff) includes the revocation's internal note."""
    revoked = c.status == service.REVOKED
    reason = c.revoke_reason if internal else rules.public_revoke_reason(c.revoke_category, c.revoke_public_note)
    return CertificateOut(id=c.id, number=c.number, register_entry=c.register_entry, full_name=c.data["full_name"],
                          status=c.status, code=c.code, verify_url=c.data["verify_url"],
                          issued_at=c.issued_at.isoformat(), revoke_reason=reason if revoked else None,
                          revoke_category=c.revoke_category if revoked else None,
                          revoke_public_note=c.revoke_public_note if revoked else None)


@router.post("/courses/{course_id}/certificates", response_model=IssueOut,
             responses={202: {"model": JobOut, "description": "many to issue: a background job, follow "
                                                                       "`/api/v1/jobs/{id}`"}})
def issue(course_id: int, body: IssueIn, request: Request, background: BackgroundTasks, db: DbSession,
          who: Staff) -> IssueOut | JSONResponse:
    """Issue to the course's completed enrolments; asking again never makes a second certificate. More than
    50 at once run as a background job (202)."""
    if body.enrolment_ids is not None:
        report = service.issue(db, who, course_id, body.enrolment_ids)
    else:
        started = service.start_issue(db, who, course_id)
        if isinstance(started, Job):
            jobs.schedule(background, request.app.state, started, who)
            return JSONResponse(jobs_present.out(started).model_dump(), status_code=202)
        report = started
    return IssueOut(issued=[out(c) for c in report.issued],
                    skipped=[{"full_name": n, "reason": why} for n, why in report.skipped])


@router.post("/certificates/print", response_model=JobOut, status_code=202)
def print_area(body: PrintIn, request: Request, background: BackgroundTasks, db: DbSession,
               who: Staff) -> JobOut:
    """Every valid certificate of the officials of a commune or province for courses that ended in the period,
    in one PDF or a ZIP, as a background job."""
    job = service.start_print(db, who, service.PrintRequest(body.unit, body.date_from, body.date_to, body.format))
    jobs.schedule(background, request.app.state, job, who)
    return jobs_present.out(job)


@router.get("/courses/{course_id}/certificates", response_model=list[CertificateOut])
def list_certificates(course_id: int, db: DbSession, who: Staff) -> list[CertificateOut]:
    return [out(c) for c, _ in service.course_certificates(db, who, course_id)]


@router.get("/courses/{course_id}/certificates.pdf", response_class=Response)
def all_pdf(course_id: int, db: DbSession, who: Staff) -> StreamingResponse:
    """Every valid certificate of the course in one PDF, one per page, in class-list order."""
    return present.course_pdf(db, who, course_id)


@router.get("/courses/{course_id}/certificates.zip", response_class=Response)
def all_zip(course_id: int, db: DbSession, who: Staff) -> StreamingResponse:
    """One PDF per certificate, named by number and name, in a ZIP."""
    return present.course_zip(db, who, course_id)


@router.get("/certificates/{certificate_id}.pdf", response_class=Response)
def download(certificate_id: int, db: DbSession, who: SignedIn) -> Response:
    """The file as issued; for its holder and the course's organisers only."""
    return present.certificate_file(db, who, certificate_id)


@router.post("/certificates/{certificate_id}/revoke", response_model=RevokeOut)
def revoke(certificate_id: int, body: RevokeIn, db: DbSession, who: Staff) -> RevokeOut:
    old, new = service.revoke(db, who, certificate_id, body.reason, category=body.category,
                              public_note=body.public_note, reissue=body.reissue)
    return RevokeOut(revoked=out(old), reissued=out(new) if new else None)


@router.get("/me/certificates", response_model=list[CertificateOut])
def my_certificates(db: DbSession, who: SignedIn) -> list[CertificateOut]:
    return [out(c, internal=False) for c, _ in service.mine(db, who)]
