"""A job as the API answers it (the jobs, certificates and paperwork APIs start or show jobs)."""
from __future__ import annotations

from app.jobs.models import Job
from app.jobs.schemas import JobOut


def out(job: Job) -> JobOut:
    return JobOut(id=job.id, kind=job.kind, title=job.title, status=job.status, done=job.done, total=job.total,
                  result=job.result or {}, error=job.error,
                  file_url=f"/api/v1/jobs/{job.id}/file" if job.status == "done" and job.file_name else None)
