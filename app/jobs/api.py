"""JSON API for background jobs: progress and the finished file."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from app.auth.permissions import SignedIn
from app.db import DbSession, Route
from app.jobs import service
from app.jobs.present import out
from app.jobs.schemas import JobOut

router = APIRouter(route_class=Route, prefix="/api/v1/jobs", tags=["jobs"])


@router.get("/{job_id}", response_model=JobOut)
def get_job(job_id: int, db: DbSession, who: SignedIn) -> JobOut:
    """A job you started: `status` queued, running, done or failed; `done` of `total`."""
    return out(service.get(db, who, job_id))


@router.get("/{job_id}/file", response_class=Response)
def job_file(job_id: int, db: DbSession, who: SignedIn) -> FileResponse:
    job, path = service.file_of(db, who, job_id)
    return FileResponse(path, media_type=job.media_type or "application/octet-stream", filename=job.file_name)
