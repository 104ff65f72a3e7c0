"""A job's page: a progress bar that refreshes itself while the job runs, then the download link."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from app.auth.permissions import SignedIn
from app.db import DbSession, Route
from app.jobs import service
from app.web import render

router = APIRouter(route_class=Route, include_in_schema=False)


@router.get("/jobs/{job_id}")
def job_page(job_id: int, request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    return render(request, "jobs/job.html", {"job": service.get(db, who, job_id)}, block="progress")


@router.get("/jobs/{job_id}/file")
def job_file(job_id: int, db: DbSession, who: SignedIn) -> FileResponse:
    job, path = service.file_of(db, who, job_id)
    return FileResponse(path, media_type=job.media_type or "application/octet-stream", filename=job.file_name)
