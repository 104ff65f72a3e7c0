"""JSON API of a course's paperwork: generate and list documents, download their files, register their number and
signing date, send summons, payment rates, and (admins) the .docx templates."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, File, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from app.auth.permissions import AdminOnly, Staff
from app.core.files import DOCX, PDF, XLSX
from app.db import DbSession, Route
from app.jobs import present as jobs_present
from app.jobs import service as jobs
from app.jobs.models import Job
from app.jobs.schemas import JobOut
from app.paperwork import presentation, service
from app.paperwork.render import MAX_TEMPLATE_BYTES
from app.paperwork.schemas import GenerateIn, Kind, RateIn, RegistrationIn, SendOut

router = APIRouter(route_class=Route, prefix="/api/v1", tags=["paperwork"])


@router.get("/courses/{course_id}/documents", response_model=list[presentation.DocumentOut])
def list_documents(course_id: int, db: DbSession, who: Staff) -> list[presentation.DocumentOut]:
    return [presentation.out(d) for d in service.documents(db, who, course_id)]


@router.post("/courses/{course_id}/documents", status_code=201, response_model=presentation.DocumentOut)
def generate(course_id: int, body: GenerateIn, db: DbSession, who: Staff) -> presentation.DocumentOut:
    """Make a document from the course's data now; it is recorded with the data it was made from."""
    options = body.model_dump(exclude={"kind"}, exclude_none=True)
    return presentation.out(service.generate(db, who, course_id, body.kind, options))


@router.get("/documents/{document_id}", response_model=presentation.DocumentOut)
def document(document_id: int, db: DbSession, who: Staff) -> presentation.DocumentOut:
    return presentation.out(service.get_document(db, who, document_id), with_data=True)


@router.get("/documents/{document_id}/file.{fmt}", response_class=Response,
            responses={200: {"content": {DOCX: {}, XLSX: {}, PDF: {}}}})
def document_file(document_id: int, fmt: Literal["docx", "xlsx", "pdf"], db: DbSession, who: Staff) -> Response:
    """The file made again from the recorded data (lists also as .xlsx and PDF)."""
    return presentation.download(service.produce(db, service.get_document(db, who, document_id), fmt))


@router.put("/documents/{document_id}/registration", response_model=presentation.DocumentOut)
def register(document_id: int, body: RegistrationIn, db: DbSession, who: Staff) -> presentation.DocumentOut:
    """The number and signing date the office gave the signed paper."""
    return presentation.out(service.register(db, who, document_id, body.number, body.signed_on))


@router.post("/documents/{document_id}/send", response_model=SendOut,
             responses={202: {"model": JobOut, "description": "many letters: a background job, follow "
                                                                       "`/api/v1/jobs/{id}`"}})
def send(document_id: int, request: Request, background: BackgroundTasks, db: DbSession, who: Staff
         ) -> SendOut | JSONResponse:
    """Send a summons to each participant (notification; e-mail with the .docx where they have an address).
    More than 20 letters are sent by a background job (202)."""
    started = service.start_send(db, who, document_id)
    if isinstance(started, Job):
        jobs.schedule(background, request.app.state, started, who)
        return JSONResponse(jobs_present.out(started).model_dump(), status_code=202)
    return SendOut(reached=started)


@router.get("/courses/{course_id}/payment-rates")
def list_rates(course_id: int, db: DbSession, who: Staff) -> list[dict]:
    service.managed_course(db, who, course_id)
    return [presentation.rate_out(r) for r in service.rates(db, course_id).values()]


@router.put("/courses/{course_id}/payment-rates/{kind}")
def set_rate(course_id: int, kind: Literal["per_diem", "travel", "accommodation", "lecturer_fee"], body: RateIn,
             db: DbSession, who: Staff) -> dict:
    return presentation.rate_out(service.set_rate(db, who, course_id, kind, body.per, body.amount,
                                                  body.budget_line_id))


@router.delete("/courses/{course_id}/payment-rates/{kind}", status_code=204)
def remove_rate(course_id: int, kind: str, db: DbSession, who: Staff) -> Response:
    service.remove_rate(db, who, course_id, kind)
    return Response(status_code=204)


@router.get("/document-templates")
def list_templates(db: DbSession, who: Staff) -> list[dict]:
    return presentation.templates_out(service.templates(db))


@router.get("/document-templates/{kind}.docx", response_class=Response,
            responses={200: {"content": {DOCX: {}}}})
def template_file(kind: Kind, db: DbSession, who: Staff) -> Response:
    """The template in use for a kind (a province's own, or the shipped one): start a new one from it."""
    return presentation.template_download(kind, service.template_for(db, kind))


@router.put("/document-templates/{kind}")
def upload_template(kind: Kind, db: DbSession, who: AdminOnly, file: Annotated[UploadFile, File()]) -> dict:
    """Replace the template of a kind (checked: it must render with the documented fields, docs/paperwork.md)."""
    content = file.file.read(MAX_TEMPLATE_BYTES + 1)
    row = service.upload_template(db, who, kind, file.filename or f"{kind}.docx", content)
    return {"kind": row.kind, "sha256": row.sha256, "file_name": row.file_name}


@router.delete("/document-templates/{kind}", status_code=204)
def reset_template(kind: Kind, db: DbSession, who: AdminOnly) -> Response:
    """Go back to the shipped template."""
    service.reset_template(db, who, kind)
    return Response(status_code=204)
