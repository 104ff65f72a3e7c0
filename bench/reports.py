"""Benchmark: every report page and export at national scale, on the database you point it at.

    # build the dataset once (minutes), then time it; the URL is any database the app can use
    NANGLUC_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/nangluc_national \\
        .venv/bin/python bench/reports.py --build [--fraction 1.0] [--runs 5]
    NANGLUC_DATABASE_URL=sqlite:///var/national.db .venv/bin/python bench/reports.py --build

`--build` migrates, syncs the curricula and loads `nangluc demo --scale national` (skipped when it is there). Each
request goes through the whole application (routing, permission, session, queries, template or workbook) with
Starlette's TestClient, signed in as the demo admin (the whole country) or the demo organiser (Bắc Ninh). The first
call of each is a warm-up; the figures are the median and the slowest of the next RUNS calls, in milliseconds, and
the median CPU time of a call (this process and, for PostgreSQL on this machine, the database processes serving it):
on a machine shared with other work the wall-clock times grow with the load, the CPU time much less.
Targets (issue #24): a province's dashboard under 300 ms, the national one under 1 s for any period, the national
workbook under 2 s. `--compare` also times each page with the people figures worked out straight from the marks and
certificates, as before the enrolments carried their results (tests/reports/direct.py), call for call in turn with
the new way; the column "issue" is what the issue measured before (load ~1).
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NANGLUC_SECRET_KEY", "bench-secret-key-that-is-long-enough-0123456789")
os.environ.setdefault("NANGLUC_DATA_DIR", tempfile.mkdtemp(prefix="nangluc-bench-"))
os.environ.setdefault("NANGLUC_ENV", "test")
PASSWORD = os.environ.get("NANGLUC_DEMO_PASSWORD", "Bench-reports-2026")  # the demo accounts' password

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, func, select, text  # noqa: E402

from app.attendance.models import AttendanceMark  # noqa: E402
from app.db import get_engine, new_session  # noqa: E402
from app.enrolment.models import Enrolment  # noqa: E402
from app.people.models import Trainee  # noqa: E402


def build(fraction: float) -> None:
    from app.auth.principal import Principal
    from app.curricula import service as curricula
    from app.demo.load import load_demo
    from app.demo.national import load_national
    from app.ops.migrate import upgrade

    upgrade("head")
    with new_session() as db:
        if not curricula.catalogue(db):
            curricula.sync(db, Principal.system("bench"))
            db.commit()
    load_demo(PASSWORD)
    with new_session() as db:
        for line in load_national(db, get_engine(), fraction=fraction):
            print("  " + line)


def _client(username: str) -> TestClient:
    from app.main import create_app

    client = TestClient(create_app(), base_url="http://bench")
    client.get("/login")
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": client.cookies.get("nangluc_csrf"), "next": "/dashboard"},
                           follow_redirects=False)
    if response.status_code != 303:
        sys.exit(f"cannot sign in as {username}: the demo accounts must have the password {PASSWORD!r} (--build)")
    return client


BEFORE = {  # issue #24, on this machine at load ~1, before the enrolments carried their results
    "national dashboard, all time (admin)": "1,900", "province dashboard Hà Nội, all time (admin)": "496",
    "export .xlsx national, all time (admin)": "3,000"}


def _server_cpu(engine: Engine) -> float:
    """CPU seconds used so far by the PostgreSQL processes serving this database, when they run on this machine
    (0 otherwise: SQLite runs inside this process)."""
    if engine.dialect.name != "postgresql":
        return 0.0
    with engine.connect() as conn:
        # Every backend of this database, this one too: it comes from the pool the application uses.
        pids = conn.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")).all()
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime and stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def _call(client: TestClient, url: str, engine: Engine) -> tuple[float, float, int]:
    cpu0, server0, t0 = time.process_time(), _server_cpu(engine), time.perf_counter()
    response = client.get(url)
    wall = (time.perf_counter() - t0) * 1000
    assert response.status_code == 200, url
    return wall, (time.process_time() - cpu0 + _server_cpu(engine) - server0) * 1000, len(response.content)


def timed(client: TestClient, url: str, runs: int, engine: Engine, compare: bool = False
          ) -> dict[str, tuple[float, float, float, int]]:
    """{"new": (median ms, slowest ms, median CPU ms, bytes)} and, with `compare`, the same for "old", the two
    called in turn so that both see the same load."""
    from tests.reports.direct import directly

    first = client.get(url)
    if first.status_code != 200:
        sys.exit(f"{url}: {first.status_code} {first.text[:300]}")
    if compare:
        with directly():
            client.get(url)
    calls: dict[str, list[tuple[float, float, int]]] = {"new": [], "old": []}
    for _ in range(runs):
        calls["new"].append(_call(client, url, engine))
        if compare:
            with directly():
                calls["old"].append(_call(client, url, engine))
    return {k: (statistics.median(c[0] for c in v), max(c[0] for c in v), statistics.median(c[1] for c in v),
                v[-1][2]) for k, v in calls.items() if v}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5, help="timed calls of each request after its warm-up (1 or more)")
    parser.add_argument("--compare", action="store_true", help="also time the direct computation, in turn")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be 1 or more (--build alone builds the dataset and times every request)")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    engine = get_engine()
    print(f"database: {engine.dialect.name} {engine.url.render_as_string(hide_password=True)}")
    if args.build:
        t0 = time.perf_counter()
        build(args.fraction)
        print(f"built in {time.perf_counter() - t0:.0f} s")
    with new_session() as db:
        sizes = (db.scalar(select(func.count()).select_from(Trainee)), db.scalar(select(func.count()).select_from(
            Enrolment)), db.scalar(select(func.count()).select_from(AttendanceMark)))
    print(f"officials {sizes[0]:,}, enrolments {sizes[1]:,}, attendance marks {sizes[2]:,}")
    admin, organiser = _client("admin"), _client("organiser")
    with new_session() as db:
        from app.courses.models import Course
        from app.places import service as places

        bac_ninh = places.unit_ids_within(db, places.get_by_key(db, "24").id)
        course_id = db.scalar(select(Course.id).where(Course.unit_id.in_(bac_ninh), Course.status == "closed")
                              .order_by(Course.id).limit(1))
    year = "2025"
    cases = [
        ("national dashboard, all time (admin)", admin, "/reports?period="),
        (f"national dashboard, {year} (admin)", admin, f"/reports?period={year}"),
        (f"national dashboard, {year}-H1, CT2 (admin)", admin, f"/reports?period={year}-H1&curriculum=CT2"),
        ("province dashboard Bắc Ninh, all time (organiser)", organiser, "/reports?period="),
        (f"province dashboard Bắc Ninh, {year} (organiser)", organiser, f"/reports?period={year}"),
        ("province dashboard Hà Nội, all time (admin)", admin, "/reports?period=&place=01"),
        ("commune dashboard Tân Dĩnh, all time (organiser)", organiser, "/reports?period=&place=07432"),
        ("course report (organiser)", organiser, f"/reports/courses/{course_id}"),
        (f"export .xlsx Bắc Ninh, {year} (organiser)", organiser, f"/reports/export.xlsx?period={year}"),
        ("export .xlsx national, all time (admin)", admin, "/reports/export.xlsx?period="),
        ("export .csv national, all time (admin)", admin, "/reports/export.csv?period="),
        ("media register, first page (admin)", admin, "/media"),
    ]
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    old_head = f" {'old ms':>8} {'old cpu':>8}" if args.compare else ""
    print(f"\n{'what':52} {'median ms':>9} {'max ms':>7} {'cpu ms':>7}{old_head} {'issue':>6} {'bytes':>9}")

    def line(label: str, figures: dict[str, tuple[float, float, float, int]]) -> None:
        median, worst, cpu, size = figures["new"]
        old = f" {figures['old'][0]:8.0f} {figures['old'][2]:8.0f}" if "old" in figures else ""
        print(f"{label:52} {median:9.0f} {worst:7.0f} {cpu:7.0f}{old} {BEFORE.get(label, ''):>6} {size:9,}")

    for label, client, url in cases:
        line(label, timed(client, url, args.runs, engine, args.compare))
    token = admin.post("/api/v1/auth/token", data={"username": "admin", "password": PASSWORD}).json()["access_token"]
    admin.headers["Authorization"] = f"Bearer {token}"
    line("API summary, national, all time (admin)",
         timed(admin, "/api/v1/reports/summary?period=", args.runs, engine, args.compare))
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

if __name__ == "__main__":
    main()
