"""Start a job, run it (from the PostgreSQL queue in `nangluc worker`, or after the response in the web process on
SQLite) with its own session, report progress, hand over its file.

A job's work is a function registered by kind: `work(db, who, job, progress) -> None`, where `progress(done,
total)` commits the counts (so the progress bar moves and other requests are not blocked by a long transaction)
and the function may write its output to `output_path(job)`. The work must be safe to run again from the top:
a retried job (a worker killed, the database away for a moment) starts again and skips what earlier attempts
committed. From the queue (app.jobs.queue) a job survives restarts and is retried; run in the web process, a job
whose process died shows as failed once it has not moved for `STALE_AFTER`.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta
from pathlib import Path

import procrastinate
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from sqlalchemy.orm import Session

from app import audit
from app.auth.models import User
from app.auth.principal import Principal
from app.auth.service import principal_for
from app.config import get_settings
from app.db import utcnow, write_session
from app.errors import DomainError, NotFound
from app.i18n import N_
from app.jobs import queue
from app.jobs.models import Job

log = logging.getLogger("nangluc.jobs")


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
    if queue.in_use(db):
        queue.defer(db, run_queued, job_id=job.id)  # committed with the job's row, or not at all
        job.in_queue = True
    return job


def schedule(background, app_state, job: Job, who: Principal) -> None:  # noqa: ANN001
    """Without the queue, run the job once the response is sent (FastAPI's BackgroundTasks; tests swap in their own
    session). A queued job is already on its way to a worker."""
    if not job.in_queue:
        background.add_task(run, job.id, who, getattr(app_state, "session_factory", None))


# A retried attempt resumes the job; only a database that is away (or a pool that is full) is worth retrying: any
# other failure is recorded on the job for the person who started it.
@queue.queue.task(name="nangluc.job", queue="jobs", retry=procrastinate.RetryStrategy(
    max_attempts=6, exponential_wait=5, retry_exceptions={OperationalError, SQLAlchemyTimeout}))
def run_queued(job_id: int) -> None:
    """A job from the queue, in `nangluc worker`: run as the person who started it."""
    with write_session() as db:
        job = db.get(Job, job_id)
        if job is None or job.status in ("done", "failed"):
            return  # finished by an earlier attempt
        user = db.get(User, job.created_by_id) if job.created_by_id else None
        who = principal_for(user, None) if user else Principal.system("jobs")
    run(job_id, who, resume=True)


def run(job_id: int, who: Principal, session_factory: Callable[[], Session] | None = None,
        resume: bool = False) -> None:
    """Run a job to the end. Any failure is recorded on the job, never raised, except, when `resume` (an attempt
    from the queue, which retries it), a database that is away."""
    def session() -> AbstractContextManager[Session]:
        return nullcontext(session_factory()) if session_factory else write_session()

    with session() as db:
        job = db.get(Job, job_id)
        if job is None or job.status not in (("queued", "running") if resume else ("queued",)):
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
        except (OperationalError, SQLAlchemyTimeout):
            db.rollback()
            if resume:
                raise  # the queue tries again later; the job stays "running" and the next attempt resumes it
            _failed(db, job_id, N_("Lỗi hệ thống khi chạy tác vụ."))
            log.exception("job %s failed", job_id)
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


def _failed(db: Session, job_id: int, error: str) -> None:
    job = db.get(Job, job_id)
    job.status, job.finished_at, job.updated_at, job.error = "failed", utcnow(), utcnow(), error
    db.commit()


def get(db: Session, who: Principal, job_id: int) -> Job:
    """A job is seen only by who started it (and admins)."""
    job = db.get(Job, job_id)
    if job is None or not (who.is_admin or job.created_by_id == who.user_id):
        raise NotFound("Không tìm thấy tác vụ.", code="job_not_found")
    if job.status in ("queued", "running") and utcnow() - job.updated_at > STALE_AFTER and not queue.in_use(db):
        job.status, job.error = "failed", N_("Tác vụ bị gián đoạn (máy chủ khởi động lại); hãy chạy lại.")
        db.flush()
    return job


def file_of(db: Session, who: Principal, job_id: int) -> tuple[Job, Path]:
    job = get(db, who, job_id)
    path = output_path(job)
    if job.status != "done" or not job.file_name or not path.exists():
        raise NotFound("Tác vụ chưa có tệp để tải.", code="job_file_not_found")
    return job, path
