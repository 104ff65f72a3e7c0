"""Benchmark: every report page and export at national scale, on the database you point it at.

    # build the dataset once (minutes), then time it; the URL is any database the app can use
    NANGLUC_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/nangluc_national \\
        .venv/bin/python bench/reports.py --build [--fraction 1.0] [--runs 5]
    NANGLUC_DATABASE_URL=sqlite:///var/national.db .venv/bin/python bench/reports.py --build

`--build` migrates, syncs the curricula and loads `nangluc demo --scale national` (skipped when it is there). Each
request goes through the whole application (routing, permission, session, queries, template or workbook) with
Starlette's TestClient, signed in as the demo admin (the whole country) or the demo organiser (Bắc Ninh). The first
call of each is a warm-up; the figures are the median and the slowest of the next RUNS calls, in milliseconds.
Targets (issue #10): a province's dashboard under 500 ms, the national one under 2 s.
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
from sqlalchemy import func, select  # noqa: E402

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


def timed(client: TestClient, url: str, runs: int) -> tuple[float, float, int]:
    first = client.get(url)
    if first.status_code != 200:
        sys.exit(f"{url}: {first.status_code} {first.text[:300]}")
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, url
    return statistics.median(times), max(times), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
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
    print(f"\n{'what':58} {'median ms':>10} {'max ms':>8} {'bytes':>10}")
    for label, client, url in cases:
        median, worst, size = timed(client, url, args.runs)
        print(f"{label:58} {median:10.0f} {worst:8.0f} {size:10,}")
    token = admin.post("/api/v1/auth/token", data={"username": "admin", "password": PASSWORD}).json()["access_token"]
    admin.headers["Authorization"] = f"Bearer {token}"
    median, worst, size = timed(admin, "/api/v1/reports/summary?period=", args.runs)
    print(f"{'API summary, national, all time (admin)':58} {median:10.0f} {worst:8.0f} {size:10,}")


if __name__ == "__main__":
    main()
