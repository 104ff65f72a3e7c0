"""The task queue for background jobs and e-mail: Procrastinate on PostgreSQL, run by `nangluc worker`.

On PostgreSQL (``NANGLUC_JOBS_RUNNER`` ``auto`` or ``queue``) a job or an e-mail is deferred *inside the request's
transaction* (Procrastinate's ``connection=`` option on the session's own connection): it exists for the workers
exactly when the change that asked for it is committed, and a rollback (or a rolled-back savepoint) takes it away.
Any number of `nangluc worker` processes, on any machine, take jobs from the queue; a failed attempt is retried with
a growing wait, and the job of a worker that died (no heartbeat for ``NANGLUC_WORKER_STALLED_SECONDS``) is handed to
another. On SQLite (``inline``) the same job code runs in the web process after the response, as `make run` needs.

Procrastinate's own tables are created by our Alembic migration (``migrations/versions/…_0014_scale_queue.py``,
PostgreSQL only), from the SQL the pinned Procrastinate ships.
"""
from __future__ import annotations

import asyncio
import logging

import procrastinate
from psycopg.types.json import Json
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.config import get_settings
from app.db import normalise_url

log = logging.getLogger("nangluc.queue")


def _conninfo() -> str:
    url = get_settings().database_url
    if not normalise_url(url).startswith("postgresql"):
        return ""
    return make_url(normalise_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)


def _connector() -> procrastinate.PsycopgConnector:
    # Behind PgBouncer the queue never prepares statements: the web's engine asks PgBouncer whether it keeps them
    # (app.db), but a worker runs a few statements a second, for which preparing saves next to nothing.
    kwargs = {"prepare_threshold": None} if get_settings().db_pgbouncer else {}
    return procrastinate.PsycopgConnector(conninfo=_conninfo(), kwargs=kwargs, min_size=1, max_size=4)


queue = procrastinate.App(connector=_connector(),
                          import_paths=["app.jobs.service", "app.notify.service", "app.certificates.service"])
"""The Procrastinate app; tasks are declared next to the code they run (app.jobs.service, app.notify.service)."""


def in_use(db: Session) -> bool:
    """Whether work asked for in this session goes to the queue (PostgreSQL, not switched to inline)."""
    runner = get_settings().jobs_runner
    return runner != "inline" and db.get_bind().dialect.name == "postgresql"


# Procrastinate's own `defer` for one job (its queries.sql, `defer_jobs`), with the arguments as an SQL expression.
_DEFER_ONE = ("SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(%(queue_name)s, %(task_name)s, %(priority)s, %(lock)s,"
              " %(queueing_lock)s, {args}, %(scheduled_at)s)::procrastinate_job_to_defer_v1])")


def defer_statement(task: procrastinate.tasks.Task, args_sql: str = "%(args)s", **kwargs: object
                    ) -> tuple[str, dict]:
    """The statement and parameters that queue `task(**kwargs)` as `defer` does, for a caller that sends it with
    other statements in one round trip; `args_sql` may finish the arguments in SQL from `%(args)s` (jsonb)."""
    job = task.configure().make_new_job(**kwargs)
    return _DEFER_ONE.format(args=args_sql), {
        "queue_name": job.queue, "task_name": job.task_name, "priority": job.priority, "lock": job.lock,
        "queueing_lock": job.queueing_lock, "args": Json(job.task_kwargs), "scheduled_at": job.scheduled_at}


def defer(db: Session, task: procrastinate.tasks.Task, **kwargs: object) -> None:
    """Queue `task(**kwargs)` in the session's transaction: committed with it, or gone with its rollback."""
    raw = db.connection().connection.dbapi_connection
    task.configure(connection=raw).defer(**kwargs)


async def _retry_stalled(every: float, stalled_after: float) -> None:
    """Hand the jobs of dead workers (no heartbeat for `stalled_after` s) back to the queue, so another worker takes
    them; the job code resumes where its last committed step left it."""
    while True:
        try:
            for job in await queue.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after):
                log.warning("retrying job %s (%s) of a worker that stopped", job.id, job.task_name)
                await queue.job_manager.retry_job(job)
        except Exception:  # noqa: BLE001 - the database may be briefly away; try again next round
            log.exception("could not look for stalled jobs")
        await asyncio.sleep(every)


async def _work(concurrency: int) -> None:
    s = get_settings()
    async with queue.open_async():
        stalled = asyncio.create_task(_retry_stalled(s.worker_heartbeat_seconds, s.worker_stalled_seconds))
        try:
            # LISTEN/NOTIFY needs a session of its own on the server, which PgBouncer's transaction mode does not
            # keep: behind it the worker polls every second instead.
            await queue.run_worker_async(concurrency=concurrency, listen_notify=not s.db_pgbouncer,
                                         fetch_job_polling_interval=1.0 if s.db_pgbouncer else 5.0,
                                         update_heartbeat_interval=s.worker_heartbeat_seconds,
                                         stalled_worker_timeout=s.worker_stalled_seconds)
        finally:
            stalled.cancel()


def run_worker(concurrency: int = 2) -> None:
    """`nangluc worker`: run queued jobs and e-mail until stopped (SIGTERM/SIGINT finish the running jobs first)."""
    if not _conninfo():
        raise SystemExit("nangluc worker needs PostgreSQL (NANGLUC_DATABASE_URL); on SQLite jobs run in the web "
                         "process and need no worker.")
    logging.basicConfig(level=logging.INFO)
    asyncio.run(_work(concurrency))
