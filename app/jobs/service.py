"""Start a job, run it after the response with its own session, report progress, hand over its file.

A job's work is a function registered by kind: `work(db, who, job, progress) -> None`, where `progress(done,
total)` commits the counts (so the progress bar moves and other requests are not blocked by a long transaction)
and the function may write its output to `output_path(job)`. A job whose process died shows as failed once it has
not moved for `STALE_AFTER`.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from app import audit
from app.auth.principal import Principal
from app.config import get_settings
from app.db import utcnow, write_session
from app.errors import DomainError, NotFound
from app.jobs.models import Job

log = logging.getLogger("nangluc.jobs")


def N_(message: str) -> str:  # noqa: N802 - marks a message for translation; the page translates it when shown
    return message


STALE_AFTER = timedelta(minutes=10)
Work = Callable[[Session, Principal, Job, Callable[[int, int], None]], None]
_WORK: dict[str, Work] = {}


def register(kind: str) -> Callable[[Work], Work]:
    def decorate(fn: Work) -> Work:
        _WORK[kind] = fn
        return fn
    return decorate


def output_path(job: Job) -> Path:
    d = get_settings().data_dir / "jobs"
    d.mkdir(parents=True, exist_ok=True)
    return d / f"job-{job.id}.bin"


def start(db: Session, who: Principal, kind: str, params: dict, title: str, total: int = 0) -> Job:
    if kind not in _WORK:
        raise ValueError(f"unknown job kind {kind}")
    job = Job(kind=kind, params=params, title=title[:300], total=total, created_by_id=who.user_id)
    db.add(job)
    db.flush()
    audit.record(db, who, f"job.start.{kind}", "job", job.id, {"params": params, "total": total})
    return job


def schedule(background, app_state, job: Job, who: Principal) -> None:  # noqa: ANN001
    """Run the job once the response is sent (FastAPI's BackgroundTasks); tests swap in their own session."""
    background.add_task(run, job.id, who, getattr(app_state, "session_factory", None))


def run(job_id: int, who: Principal, session_factory: Callable[[], Session] | None = None) -> None:
    """Run a job to the end (called after the response). Any failure is recorded on the job, never raised."""
    def session() -> AbstractContextManager[Session]:
        return nullcontext(session_factory()) if session_factory else write_session()

    with session() as db:
        job = db.get(Job, job_id)
        if job is None or job.status != "queued":
            return
        job.status, job.updated_at = "running", utcnow()
        db.commit()

        def progress(done: int, total: int) -> None:
            job.done, job.total, job.updated_at = done, total, utcnow()
            db.commit()

        try:
            _WORK[job.kind](db, who, job, progress)
            job.status, job.finished_at, job.updated_at = "done", utcnow(), utcnow()
            db.commit()
        except Exception as err:  # noqa: BLE001 - recorded on the job for the person who started it
            db.rollback()
            job = db.get(Job, job_id)
            job.status, job.finished_at, job.updated_at = "failed", utcnow(), utcnow()
            job.error = err.message if isinstance(err, DomainError) else N_("Lỗi hệ thống khi chạy tác vụ.")
            if not isinstance(err, DomainError):
                log.exception("job %s (%s) failed", job_id, job.kind)
            db.commit()
        finally:
            if session_factory:
                db.close()


def get(db: Session, who: Principal, job_id: int) -> Job:
    """A job is seen only by who started it (and admins)."""
    job = db.get(Job, job_id)
    if job is None or not (who.is_admin or job.created_by_id == who.user_id):
        raise NotFound("Không tìm thấy tác vụ.", code="job_not_found")
    if job.status in ("queued", "running") and utcnow() - job.updated_at > STALE_AFTER:
        job.status, job.error = "failed", N_("Tác vụ bị gián đoạn (máy chủ khởi động lại); hãy chạy lại.")
        db.flush()
    return job


def file_of(db: Session, who: Principal, job_id: int) -> tuple[Job, Path]:
    job = get(db, who, job_id)
    path = output_path(job)
    if job.status != "done" or not job.file_name or not path.exists():
        raise NotFound("Tác vụ chưa có tệp để tải.", code="job_file_not_found")
    return job, path
