"""Several app servers on one database (docs/operations.md, "Connections"): a pool that runs out answers 503 with
Retry-After (never 500), and a registration rush spread over two real `nangluc serve` processes, straight on
PostgreSQL and through a real PgBouncer in transaction mode, fills exactly the seats with one row per person and no
5xx."""
from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.auth import service as auth
from app.auth.principal import Principal
from app.curricula import service as curricula
from app.db import make_engine
from app.enrolment.models import Enrolment
from app.main import create_app
from app.ops.migrate import upgrade
from app.places import service as places
from tests.conftest import fresh_database_url
from tests.courses.factories import add_trainee, open_course
from tests.reliability import live
from tests.reliability.pgbouncer import BINARY, available, newer_pgbouncer, pgbouncer

SEATS, PEOPLE = 10, 40


def test_an_exhausted_pool_answers_503_with_retry_after_and_recovers(engine: Engine):
    tight = create_engine(engine.url, pool_size=1, max_overflow=0, pool_timeout=0.3)
    app = create_app()
    app.state.session_factory = sessionmaker(bind=tight, expire_on_commit=False)
    held = tight.connect()  # the only connection of the pool, taken by a long request elsewhere
    try:
        with TestClient(app) as client:
            api = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
            page = client.get("/login")
            assert (api.status_code, page.status_code) == (503, 503)
            assert api.headers["Retry-After"] == page.headers["Retry-After"] == "5"
            assert api.json()["code"] == "database_busy"
            assert "Hệ thống đang bận" in page.text
            held.close()  # the pool has its connection back: the same process answers normally
            assert client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
            assert client.get("/login").status_code == 200
    finally:
        held.close()
        tight.dispose()


def _world(url: str) -> tuple[int, list[str]]:
    """An open course with SEATS seats and PEOPLE eligible officials, each with an API token."""
    upgrade("head", url)
    setup = make_engine(url)
    with Session(setup, expire_on_commit=False) as db:
        system = Principal.system("test")
        curricula.sync(db, system)
        organiser = auth.create_user(db, system, username="org", password="Mat-khau-2026", role="organiser",
                                     unit=places.get_by_key(db, "24"))
        who = auth.principal_for(organiser, None)
        course = open_course(db, who, capacity=SEATS, title="Lớp đông người")
        commune = places.get_by_key(db, "07432")
        tokens = []
        for i in range(1, PEOPLE + 1):
            user = auth.create_user(db, system, username=f"hv{i}", password="Mat-khau-2026", role="trainee",
                                    unit=commune)
            add_trainee(db, who, i, user_id=user.id)
            tokens.append(auth.start_session(db, user, "api", None))
        db.commit()
    setup.dispose()
    return course.id, tokens


def _double_tap_rush(urls: list[str], course_id: int, tokens: list[str]) -> Counter:
    """Everyone presses "Đăng ký" twice at the same instant, the presses spread over the servers."""
    return _at_once(urls, tokens, lambda client, token, tap: client.post(
        f"/api/v1/courses/{course_id}/enrolments", json={}, headers={"Authorization": f"Bearer {token}"}))


def _at_once(urls: list[str], tokens: list[str], ask: Callable[[httpx.Client, str, int], httpx.Response]) -> Counter:
    """Two requests per token (`ask(client, token, tap)`), all sent at the same instant, spread over the servers:
    the status codes."""
    barrier = threading.Barrier(len(tokens) * 2)
    codes: Counter = Counter()

    def press(i: int, token: str, tap: int) -> None:
        with httpx.Client(base_url=urls[(i + tap) % len(urls)], timeout=120) as client:
            barrier.wait()
            codes[ask(client, token, tap).status_code] += 1

    threads = [threading.Thread(target=press, args=(i, t, tap)) for i, t in enumerate(tokens) for tap in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    return codes


def _seats(url: str, course_id: int) -> tuple[dict[str, int], int, int]:
    check = make_engine(url)
    with Session(check) as db:
        by_status = dict(db.execute(select(Enrolment.status, func.count()).where(Enrolment.course_id == course_id)
                                    .group_by(Enrolment.status)).all())
        people = db.scalar(select(func.count(func.distinct(Enrolment.trainee_id)))
                           .where(Enrolment.course_id == course_id))
        positions = sorted(db.scalars(select(Enrolment.waitlist_position).where(
            Enrolment.course_id == course_id, Enrolment.status == "waitlisted")))
    check.dispose()
    assert positions == list(range(1, len(positions) + 1))
    return by_status, sum(by_status.values()), people


@pytest.mark.parametrize("through", ["direct", "pgbouncer", "pgbouncer keeping prepared statements"])
def test_a_registration_rush_across_two_servers_fills_exactly_the_seats(through: str, tmp_path: Path):
    url = fresh_database_url("postgresql")
    if through == "pgbouncer" and not available():
        pytest.fail("pgbouncer is not installed (apt-get install pgbouncer; .ci/run does)")
    keeping = through.endswith("prepared statements")
    binary = newer_pgbouncer() if keeping else BINARY
    course_id, tokens = _world(url)
    # A small budget per worker, so that the rush queues for connections as a crowded national installation would.
    budget = {"NANGLUC_DB_POOL_SIZE": "3", "NANGLUC_DB_MAX_OVERFLOW": "1"}
    behind = through != "direct"
    with (pgbouncer(url, pool_size=6, binary=binary, prepared=200 if keeping else None)
          if behind else nullcontext(url)) as served_url:
        extra = {**budget, "NANGLUC_DB_PGBOUNCER": "true"} if behind else budget
        env = live.environment(served_url, tmp_path / "data", **extra)
        a = live.serve(env, tmp_path / "a.log", wait=120)  # a shared 2-core machine can be slow to start them
        try:
            b = live.serve(env, tmp_path / "b.log", wait=120)
            try:
                codes = _double_tap_rush([a.url, b.url], course_id, tokens)
            finally:
                b.stop()
        finally:
            a.stop()
    assert all(code < 500 for code in codes), (codes, a.log()[-3000:], b.log()[-3000:])
    assert codes[201] == PEOPLE and codes[200] == PEOPLE  # each person's second press answers with the first's row
    if keeping:  # both servers found that PgBouncer keeps prepared statements, and kept theirs
        assert all("prepared statements kept" in server.log() for server in (a, b))
    by_status, rows, people = _seats(url, course_id)
    assert by_status == {"confirmed": SEATS, "waitlisted": PEOPLE - SEATS}
    assert rows == people == PEOPLE


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_burst_of_reads_on_a_small_pool_is_answered_without_503(backend: str, tmp_path: Path):
    """80 signed-in reads at the same instant on one worker whose pool holds 2 connections: each answered 200.

    FastAPI checks a synchronous endpoint's answer in a worker thread after the endpoint returns; the endpoint's
    session used to keep its connection until after that, while the other threads waited for a connection, so the
    burst stood still until the pool's timeout answered 503 (app.db.Route commits in the endpoint's thread)."""
    url = fresh_database_url(backend)
    _, tokens = _world(url)
    env = live.environment(url, tmp_path / "data", NANGLUC_DB_POOL_SIZE="2", NANGLUC_DB_MAX_OVERFLOW="0",
                           NANGLUC_DB_POOL_TIMEOUT="5")
    server = live.serve(env, tmp_path / "server.log", wait=120)
    try:
        codes = _at_once([server.url], tokens, lambda client, token, tap: client.get(
            ("/api/v1/me", "/api/v1/me/enrolments")[tap], headers={"Authorization": f"Bearer {token}"}))
    finally:
        server.stop()
    assert codes == Counter({200: 2 * PEOPLE}), (codes, server.log()[-3000:])


@pytest.mark.parametrize(("threads", "pool", "overflow", "at_once"),
                         [("2", "4", "0", 2),   # NANGLUC_THREADS, below the connections
                          ("6", "3", "1", 4)])  # more threads asked than connections: as many as the connections
def test_a_worker_runs_at_most_its_threads_and_never_more_than_its_connections(
        threads: str, pool: str, overflow: str, at_once: int, tmp_path: Path):
    """With the course's row held elsewhere, twelve registrations sent at once to one worker wait for it in the
    database `at_once` at a time; the others wait in the event loop without a connection. Once the row is free, every
    one of them is registered."""
    url = fresh_database_url("postgresql")
    course_id, tokens = _world(url)
    env = live.environment(url, tmp_path / "data", NANGLUC_THREADS=threads, NANGLUC_DB_POOL_SIZE=pool,
                           NANGLUC_DB_MAX_OVERFLOW=overflow, NANGLUC_DB_POOL_TIMEOUT="60")
    server = live.serve(env, tmp_path / "server.log", wait=120)
    watch = make_engine(url)
    codes: Counter = Counter()

    def press(token: str) -> None:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            codes[client.post(f"/api/v1/courses/{course_id}/enrolments", json={},
                              headers={"Authorization": f"Bearer {token}"}).status_code] += 1

    def server_backends(db: Session) -> tuple[int, int]:
        """(the server's backends waiting for a lock, all its backends) in this database."""
        return db.execute(text(
            "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            " AND application_name <> 'holder'")).one()

    presses = [threading.Thread(target=press, args=(t,)) for t in tokens[:12]]
    try:
        with watch.connect() as hold, Session(watch) as db:
            hold.execute(text("SET application_name = 'holder'"))
            hold.execute(text("SELECT id FROM course WHERE id = :c FOR NO KEY UPDATE"), {"c": course_id})
            for t in presses:
                t.start()
            seen = []
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and (len(seen) < 10 or seen[-1][0] < at_once):
                time.sleep(0.2)
                seen.append(tuple(server_backends(db)))
                db.rollback()
            assert seen[-1][0] == at_once, seen  # as many wait on the row as the worker runs at once…
            assert max(waiting for waiting, _ in seen) == at_once  # …never more
            assert max(connections for _, connections in seen) <= int(pool) + int(overflow)
            hold.rollback()
        for t in presses:
            t.join(120)
    finally:
        server.stop()
        watch.dispose()
    assert codes == Counter({201: 12}), (codes, server.log()[-3000:])
