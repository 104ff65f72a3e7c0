"""Jobs on the PostgreSQL queue, with real processes: started on one app server, run by `nangluc worker`, followed
from another server; a worker killed in the middle of a job, the job handed to another worker and finished without
a certificate issued twice; e-mail deferred in the change's own transaction.

The bulk issue is the job: 130 completed officials, issued in batches of 50 that each commit (tests/reliability/
test_faults.py shows what a killed web process leaves; here a worker is killed instead, and the queue retries)."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from app.certificates.models import Certificate
from app.db import normalise_url
from app.jobs.models import Job
from tests.conftest import fresh_database_url
from tests.reliability import live
from tests.reliability.test_faults import COURSE_SIZE, _count, _finished_course, _numbering, _token, _wait

QUEUE = {"NANGLUC_JOBS_RUNNER": "queue", "NANGLUC_WORKER_HEARTBEAT_SECONDS": "1",
         "NANGLUC_WORKER_STALLED_SECONDS": "4"}


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([live.NANGLUC, "worker", "--concurrency", "1"], env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _job(url: str, headers: dict, job_id: int) -> dict:
    r = httpx.get(f"{url}/api/v1/jobs/{job_id}", headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_job_started_on_one_server_is_run_by_a_worker_and_followed_from_the_other(tmp_path: Path):
    url = fresh_database_url("postgresql")
    course_id = _finished_course(url, COURSE_SIZE)
    env = live.environment(url, tmp_path / "data", **QUEUE)
    a = live.serve(env, tmp_path / "a.log", wait=120)
    b = worker = None
    try:
        b = live.serve(env, tmp_path / "b.log", wait=120)
        started = httpx.post(f"{a.url}/api/v1/courses/{course_id}/certificates", headers=_token(a.url, "to-chuc"),
                             json={}, timeout=60)
        assert started.status_code == 202, started.text
        job_id = started.json()["id"]
        on_b = _token(b.url, "to-chuc")
        time.sleep(2)
        assert _job(b.url, on_b, job_id)["status"] == "queued"  # no web process runs it: it waits for a worker
        worker = _worker(env, tmp_path / "worker.log")
        seen = []
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            job = _job(b.url, on_b, job_id)
            seen.append((job["status"], job["done"]))
            if job["status"] in ("done", "failed"):
                break
            time.sleep(0.1)
        assert job["status"] == "done", (job, (tmp_path / "worker.log").read_text()[-3000:])
        assert job["result"] == {"issued": COURSE_SIZE} and job["done"] == job["total"] == COURSE_SIZE
        assert any(status == "running" and 0 < done < COURSE_SIZE for status, done in seen), seen  # progress shown
        engine = create_engine(normalise_url(url))
        sequences, entries, _, most = _numbering(engine)
        assert sequences == entries == list(range(1, COURSE_SIZE + 1)) and most == 1
        engine.dispose()
        download = httpx.get(f"{b.url}/api/v1/courses/{course_id}/certificates", headers=on_b, timeout=60)
        assert download.status_code == 200 and len(download.json()) == COURSE_SIZE
    finally:
        if worker is not None:
            _stop(worker)
        a.stop()
        if b is not None:
            b.stop()


def test_a_worker_killed_in_the_middle_of_a_job_the_job_is_finished_by_another_without_duplicates(tmp_path: Path):
    from app.certificates.service import BATCH

    url = fresh_database_url("postgresql")
    course_id = _finished_course(url, COURSE_SIZE)
    env = live.environment(url, tmp_path / "data", **QUEUE)
    engine = create_engine(normalise_url(url))
    server = live.serve(env, tmp_path / "server.log", wait=120)
    first = _worker(env, tmp_path / "first.log")
    second = None
    try:
        headers = _token(server.url, "to-chuc")
        started = httpx.post(f"{server.url}/api/v1/courses/{course_id}/certificates", headers=headers, json={},
                             timeout=60)
        job_id = started.json()["id"]
        _wait(lambda: _count(engine, Certificate) >= BATCH, 180, "the first batch to be committed")
        os.kill(first.pid, signal.SIGKILL)  # no clean-up, no goodbye to the queue
        first.wait(10)
        issued = _count(engine, Certificate)
        assert 0 < issued < COURSE_SIZE and issued % BATCH == 0
        with Session(engine) as db:
            assert db.get(Job, job_id).status == "running"
        second = _worker(env, tmp_path / "second.log")  # sees the first worker's heartbeat stop, retries its job
        _wait(lambda: _job(server.url, headers, job_id)["status"] in ("done", "failed"), 240, "the retried job",
              step=0.5)
        assert _job(server.url, headers, job_id)["status"] == "done", (tmp_path / "second.log").read_text()[-3000:]
        sequences, entries, _, most = _numbering(engine)
        assert sequences == entries == list(range(1, COURSE_SIZE + 1))  # every number once, none skipped
        assert most == 1  # nobody holds two certificates
        with engine.connect() as conn:
            attempts = conn.execute(text("SELECT status, attempts FROM procrastinate_jobs "
                                         "WHERE task_name = 'nangluc.job'")).all()
        assert [tuple(r) for r in attempts] == [("succeeded", 1)] or [r[0] for r in attempts] == ["succeeded"]
    finally:
        for proc in (first, second):
            if proc is not None:
                _stop(proc)
        server.stop()
        engine.dispose()


def test_e_mail_is_queued_in_the_change_s_transaction(engine, monkeypatch):
    """On PostgreSQL an e-mail is a queued task, committed with the change or dropped with its rollback."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the queue is PostgreSQL's; SQLite sends after the commit (tests/enrolment/test_service.py)")
    from app.config import get_settings
    from app.notify.service import notify

    monkeypatch.setattr(get_settings(), "jobs_runner", "queue")

    def queued(conn) -> int:  # noqa: ANN001
        return conn.execute(select(func.count()).select_from(text("procrastinate_jobs"))
                            .where(text("task_name = 'nangluc.email'"))).scalar()

    with engine.connect() as conn:
        before = queued(conn)
    with Session(engine) as db:
        notify(db, None, "CT2: Đã xác nhận", "Lớp thử", email="nhung@example.vn")
        db.rollback()
    with engine.connect() as conn:
        assert queued(conn) == before  # rolled back: nothing to send
    with Session(engine) as db:
        notify(db, None, "CT2: Đã xác nhận", "Lớp thử", email="nhung@example.vn")
        db.commit()
    with engine.connect() as conn:
        assert queued(conn) == before + 1
        args = conn.execute(text("SELECT args FROM procrastinate_jobs WHERE task_name = 'nangluc.email' "
                                 "ORDER BY id DESC LIMIT 1")).scalar()
    assert args["message"]["to"] == "nhung@example.vn"
