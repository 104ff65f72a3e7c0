"""Faults, with real processes: a server killed (SIGKILL) in the middle of a large import or a bulk issue, PostgreSQL
restarted under load, and two app processes serving the same signed-in person.

What holds, precisely (docs/reliability.md says the same):
- an import is one transaction: killed before its commit, nothing of it is kept; run again, all of it is;
- a bulk issue commits batch by batch (BATCH certificates): a killed run keeps its whole batches, with numbers and
  register entries 1..n without a gap or a repeat, loses the batch in progress entirely (its reserved numbers
  roll back with it), shows its job as failed once it has not moved for ten minutes, and a rerun issues exactly the
  rest, continuing the numbers;
- PostgreSQL down: requests get 503 with Retry-After (never 500) and the same app process serves again once the
  database is back;
- nothing about a signed-in person lives in a process: sessions, CSRF tokens, sign-in locks and the language
  choice work across processes.
"""
from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.attendance import service as attendance
from app.auth import service as auth_service
from app.auth.principal import Principal
from app.certificates.models import Certificate, CertificateCounter
from app.courses import service as courses
from app.courses import sessions
from app.curricula import service as curricula
from app.db import make_engine, normalise_url, utcnow
from app.demo.courses import DEMO_TITLE
from app.enrolment import service as enrolment
from app.jobs.models import Job
from app.ops.migrate import upgrade
from app.people.models import Trainee
from app.places import service as places
from tests.conftest import fresh_database_url
from tests.courses.factories import add_trainee, open_course, principal
from tests.helpers import PASSWORD
from tests.people.factories import as_csv, cccd, person
from tests.reliability import live
from tests.reliability.pgcluster import remove, throwaway_cluster

IMPORT_ROWS = 12000
COURSE_SIZE = 130  # three batches of 50, 50 and 30


def _wait(condition, timeout: float, what: str, step: float = 0.02) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


def _count(engine: Engine, model) -> int:  # noqa: ANN001
    with Session(engine) as db:
        return db.scalar(select(func.count()).select_from(model))


def _token(base: str, username: str, password: str = PASSWORD) -> dict[str, str]:
    r = httpx.post(base + "/api/v1/auth/token", data={"username": username, "password": password}, timeout=30)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


# --- a large import, killed ------------------------------------------------------------------------------------------


def _officials(n: int) -> bytes:
    rows = []
    for i in range(1, n + 1):
        r = person(i, **{"Xã/phường": ["Tân Dĩnh", "07210", "07228", "Xã Đa Mai"][i % 4]})
        birth = date(1970 + i % 35, 1 + i % 12, 1 + i % 28)
        r["Ngày sinh"], r["Số CCCD"] = birth.strftime("%d/%m/%Y"), cccd(birth, r["Giới tính"], i)
        r["Số điện thoại"] = ""
        rows.append(r)
    return as_csv(rows)


def _inserting(engine: Engine, backend: str, wal: Path, wal_before: int) -> bool:
    """Evidence that the import's transaction is writing its rows, and has not committed."""
    if backend == "postgresql":
        with engine.connect() as conn:
            return bool(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND query ILIKE 'INSERT INTO trainee%'")).scalar())
    return wal.exists() and wal.stat().st_size > wal_before + 1024 * 1024  # pages spilled to the WAL, uncommitted


def test_a_server_killed_during_a_large_import_keeps_nothing_and_the_rerun_keeps_everything(backend, tmp_path):
    url = fresh_database_url(backend)
    env = live.environment(url, tmp_path / "data")
    live.prepare(env)
    live.nangluc(env, "user", "create", "quan-tri", "--role", "admin", "--password", PASSWORD)
    engine = create_engine(normalise_url(url))
    wal = Path(f"{engine.url.database}-wal") if backend == "sqlite" else Path("/nonexistent")
    before = _count(engine, Trainee)
    content = _officials(IMPORT_ROWS)
    server = live.serve(env, tmp_path / "first.log")
    headers = _token(server.url, "quan-tri")
    wal_before = wal.stat().st_size if wal.exists() else 0

    def send() -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server is killed under it
            httpx.post(server.url + "/api/v1/trainees/import", headers=headers, timeout=300,
                       data={"dry_run": "false", "lawful_basis_confirmed": "true"},
                       files={"file": ("12000-can-bo.csv", content, "text/csv")})

    sender = threading.Thread(target=send)
    sender.start()
    _wait(lambda: _inserting(engine, backend, wal, wal_before), 120, "the import to write its rows")
    server.kill()
    sender.join(60)
    assert _count(engine, Trainee) == before  # nothing of the killed import

    server = live.serve(env, tmp_path / "second.log")  # the same database and data folder, after the crash
    try:
        r = httpx.post(server.url + "/api/v1/trainees/import", headers=_token(server.url, "quan-tri"), timeout=300,
                       data={"dry_run": "false", "lawful_basis_confirmed": "true"},
                       files={"file": ("12000-can-bo.csv", content, "text/csv")})
        assert r.status_code == 200, r.text[:500]
        assert r.json()["created"] == IMPORT_ROWS and r.json()["imported"] is True
        assert _count(engine, Trainee) == before + IMPORT_ROWS  # everything
    finally:
        server.stop()
        engine.dispose()


# --- a bulk issue, killed --------------------------------------------------------------------------------------------


def _finished_course(url: str, n: int) -> int:
    """A finished CT2 course of `n` officials who all completed it, with its signer: ready for a bulk issue."""
    upgrade("head", url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as db:
        curricula.sync(db, Principal.system("t"))
        organiser = auth_service.create_user(db, Principal.system("t"), username="to-chuc", password=PASSWORD,
                                             role="organiser", unit=places.get_by_key(db, "24"))
        who = principal(organiser)
        course = open_course(db, who, capacity=n + 10, title="Lớp cấp hàng loạt", starts_in_days=20)
        courses.update_course(db, who, course.id, {"organising_body": "Sở Văn hóa, Thể thao và Du lịch tỉnh Bắc Ninh",
                                                   "signer_title": "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC",
                                                   "signer_name": "Nguyễn Văn Ký"})
        sessions.add_session(db, who, course.id, sessions.SessionInput(
            session_date=course.start_date, part_of_day="morning", start_time=None, end_time=None,
            module_ids=[course.modules[0].id], lecturer_id=None, room="Phòng 1", online_link=None))
        enrolments = [enrolment.register(db, who, course.id, add_trainee(db, who, i).id) for i in range(1, n + 1)]
        session_id = courses.get_course(db, who, course.id).sessions[0].id
        attendance.record_marks(db, who, course.id, [{"session_id": session_id, "enrolment_id": e.id,
                                                      "status": "present"} for e in enrolments])
        attendance.record_results(db, who, course.id)
        db.get(type(course), course.id).status = "finished"
        db.commit()
        course_id = course.id
    engine.dispose()
    return course_id


def _numbering(engine: Engine) -> tuple[list[int], list[int], dict[int, int], int]:
    with Session(engine) as db:
        certs = list(db.scalars(select(Certificate).where(Certificate.status == "valid")))
        counters = {c.year: c.last for c in db.scalars(select(CertificateCounter))}
        holders = Counter(c.enrolment_id for c in certs)
        return (sorted(c.sequence for c in certs), sorted(c.register_entry for c in certs), counters,
                max(holders.values(), default=0))


def test_a_server_killed_during_a_bulk_issue_keeps_whole_batches_and_the_rerun_completes_it(backend, tmp_path):
    from app.certificates.service import BATCH, ISSUE_INLINE_MAX

    assert COURSE_SIZE > ISSUE_INLINE_MAX and COURSE_SIZE > 2 * BATCH
    url = fresh_database_url(backend)
    course_id = _finished_course(url, COURSE_SIZE)
    env = live.environment(url, tmp_path / "data")
    engine = create_engine(normalise_url(url))
    server = live.serve(env, tmp_path / "first.log")
    headers = _token(server.url, "to-chuc")
    started = httpx.post(f"{server.url}/api/v1/courses/{course_id}/certificates", headers=headers, json={},
                         timeout=60)
    assert started.status_code == 202, started.text
    job_id = started.json()["id"]
    _wait(lambda: _count(engine, Certificate) >= BATCH, 120, "the first batch to be committed")
    server.kill()  # in the middle of the second batch, most likely; at worst between two batches

    issued = _count(engine, Certificate)
    assert 0 < issued < COURSE_SIZE and issued % BATCH == 0, issued  # whole batches only
    sequences, entries, counters, most = _numbering(engine)
    year = utcnow().year
    assert sequences == list(range(1, issued + 1))  # no number repeated, none skipped
    assert entries == list(range(1, issued + 1))
    assert counters == {year: issued, 0: issued}  # the killed batch's reserved numbers rolled back with it
    assert most == 1  # nobody holds two valid certificates
    pdfs = {p.stem for p in (tmp_path / "data" / "certificates").glob("*.pdf")}
    with Session(engine) as db:
        codes = set(db.scalars(select(Certificate.code)))
        assert codes <= pdfs  # every kept certificate has its file (the killed batch may leave unused files)
        assert db.get(Job, job_id).status == "running"  # as the killed process left it

    server = live.serve(env, tmp_path / "second.log")
    try:
        headers = _token(server.url, "to-chuc")
        assert httpx.get(f"{server.url}/api/v1/jobs/{job_id}", headers=headers).json()["status"] == "running"
        with engine.begin() as conn:  # ten minutes pass without progress
            conn.execute(update(Job).where(Job.id == job_id).values(updated_at=utcnow() - timedelta(minutes=11)))
        stale = httpx.get(f"{server.url}/api/v1/jobs/{job_id}", headers=headers).json()
        assert stale["status"] == "failed" and "gián đoạn" in stale["error"]
        assert (stale["done"], stale["total"]) == (issued, COURSE_SIZE) or stale["done"] < issued + 1

        rerun = httpx.post(f"{server.url}/api/v1/courses/{course_id}/certificates", headers=headers, json={},
                           timeout=60)
        rest = COURSE_SIZE - issued
        if rest > ISSUE_INLINE_MAX:
            assert rerun.status_code == 202, rerun.text
            second = rerun.json()["id"]
            _wait(lambda: httpx.get(f"{server.url}/api/v1/jobs/{second}", headers=headers).json()["status"]
                  in ("done", "failed"), 120, "the rerun", step=0.5)
            done = httpx.get(f"{server.url}/api/v1/jobs/{second}", headers=headers).json()
            assert (done["status"], done["result"]) == ("done", {"issued": rest})
        else:
            assert rerun.status_code == 200 and len(rerun.json()["issued"]) == rest
        sequences, entries, counters, most = _numbering(engine)
        assert sequences == entries == list(range(1, COURSE_SIZE + 1))
        assert counters == {year: COURSE_SIZE, 0: COURSE_SIZE} and most == 1
        again = httpx.post(f"{server.url}/api/v1/courses/{course_id}/certificates", headers=headers, json={})
        assert again.status_code == 200 and again.json()["issued"] == []  # idempotent: nothing left to issue
    finally:
        server.stop()
        engine.dispose()


# --- PostgreSQL restarted under load ---------------------------------------------------------------------------------


class Load:
    """Threads sending a mix of reads and writes as fast as the server answers; every answer's status is kept."""

    def __init__(self, base: str, organiser: dict, trainee: dict, course_id: int) -> None:
        self.base, self.organiser, self.trainee, self.course_id = base, organiser, trainee, course_id
        self.results: list[tuple[float, str, int]] = []
        self.failures: list[str] = []
        self.running = True
        self.lock = threading.Lock()

    def _requests(self, i: int) -> list[tuple[str, str, dict, dict | None]]:
        c = self.course_id
        return [("GET", "/healthz", {}, None), ("GET", "/api/v1/courses", self.organiser, None),
                ("GET", f"/api/v1/courses/{c}/enrolments", self.organiser, None),
                ("GET", "/api/v1/trainees?q=nguyen", self.organiser, None),
                ("POST", f"/api/v1/courses/{c}/enrolments", self.trainee, {}),
                ("GET", "/api/v1/me/enrolments", self.trainee, None)]

    def worker(self, n: int) -> None:
        with httpx.Client(base_url=self.base, timeout=30) as client:
            i = n
            while self.running:
                method, path, headers, body = self._requests(i)[i % 6]
                i += 1
                try:
                    r = client.request(method, path, headers=headers, json=body)
                    status = r.status_code
                    if status >= 500 and status != 503:
                        self.failures.append(f"{method} {path}: {status} {r.text[:200]}")
                    if status == 503:
                        assert r.headers.get("retry-after") or path == "/healthz", r.headers
                except httpx.HTTPError as exc:
                    status = 0
                    self.failures.append(f"{method} {path}: {type(exc).__name__} {exc}")
                with self.lock:
                    self.results.append((time.monotonic(), path, status))


def test_postgresql_restarted_under_load_answers_503_and_the_app_recovers_alone(tmp_path):
    cluster = throwaway_cluster()
    server = None
    try:
        env = live.environment(cluster.url, tmp_path / "data")
        live.prepare(env, demo_password="Demo-restart-2026")
        server = live.serve(env, tmp_path / "server.log", workers=2)
        organiser = _token(server.url, "organiser", "Demo-restart-2026")
        trainee = _token(server.url, "trainee", "Demo-restart-2026")
        course_id = next(c["id"] for c in httpx.get(server.url + "/api/v1/courses", headers=organiser).json()["items"]
                         if c["title"] == DEMO_TITLE)
        load = Load(server.url, organiser, trainee, course_id)
        workers = [threading.Thread(target=load.worker, args=(n,)) for n in range(6)]
        for w in workers:
            w.start()
        time.sleep(2)
        down_at = time.monotonic()
        cluster.stop("fast")  # kills every connection the app holds
        time.sleep(3)  # an outage, not a blip
        cluster.start()
        up_at = time.monotonic()
        time.sleep(6)
        load.running = False
        for w in workers:
            w.join(60)

        assert not load.failures, load.failures[:10]
        statuses = Counter(s for _, _, s in load.results)
        assert set(statuses) <= {200, 201, 409, 503}, statuses  # 409: the trainee is already enrolled
        during = [s for t, _, s in load.results if down_at + 0.5 < t < up_at - 0.2]
        assert during and set(during) == {503}, Counter(during)  # the outage was seen, and answered cleanly
        recovered = [s for t, _, s in load.results if t > up_at + 3]
        assert recovered and 503 not in recovered, Counter(recovered)  # the same processes serve again
        assert "Traceback" not in server.log() and "unhandled error" not in server.log()
        assert live.health(server.url) == 200
    finally:
        if server:
            server.stop()
        remove(cluster)


# --- two processes, one signed-in person -----------------------------------------------------------------------------


def test_two_app_processes_serve_the_same_signed_in_person(backend, tmp_path):
    env = live.environment(fresh_database_url(backend), tmp_path / "data-a")
    live.prepare(env, demo_password="Demo-two-2026")
    # Separate data folders: nothing may depend on a file only one process has (the secret key comes from the
    # environment, as on several servers behind a load balancer).
    a = live.serve(env, tmp_path / "a.log")
    b = live.serve({**env, "NANGLUC_DATA_DIR": str(tmp_path / "data-b")}, tmp_path / "b.log")
    try:
        first, second = httpx.Client(base_url=a.url), httpx.Client(base_url=b.url)
        first.get("/login")
        csrf = first.cookies["nangluc_csrf"]
        signed = first.post("/login", data={"username": "organiser", "password": "Demo-two-2026",
                                            "csrf_token": csrf, "next": "/dashboard"})
        assert signed.status_code == 303
        second.cookies.update(first.cookies)  # the load balancer sends the next request to the other process
        page = second.get("/dashboard")
        assert page.status_code == 200 and "Xin chào" in page.text
        switched = second.post("/lang", data={"locale": "en", "next": "/dashboard", "csrf_token": csrf})
        assert switched.status_code == 303  # the CSRF token of one process is good on the other
        first.cookies.update(second.cookies)
        assert "Hello" in first.get("/dashboard").text  # the choice is on the account, seen by both

        token = _token(a.url, "organiser", "Demo-two-2026")
        assert httpx.get(b.url + "/api/v1/me", headers=token).json()["username"] == "organiser"

        out = second.post("/logout", data={"csrf_token": csrf})
        assert out.status_code == 303
        assert first.get("/dashboard").status_code == 303  # signed out everywhere

        for client in (first, second, first, second, first):  # failures counted in the database, not a process
            r = client.post("/api/v1/auth/token", data={"username": "trainer", "password": "wrong-password"})
            assert r.status_code == 401
        locked = second.post("/api/v1/auth/token", data={"username": "trainer", "password": "Demo-two-2026"})
        assert locked.status_code == 429 and locked.json()["code"] == "sign_in_locked"
    finally:
        a.stop()
        b.stop()

