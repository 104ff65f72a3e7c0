"""Benchmark: 500 officials press "Đăng ký" at the same moment for a 60-seat course, against a real server.

    NANGLUC_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/enrolment_rush.py [postgresql|sqlite] [REGISTRATIONS] [SEATS] [WORKERS]

Builds a throw-away database, an open course and one account (with an API token) per trainee, starts
`nangluc serve`, sends every registration at once over its own connection, then prints what the database holds
(confirmed, waitlisted, duplicates), errors, registrations per second and p50/p95/p99 latency.
"""
from __future__ import annotations

import asyncio
import sys
import time
from datetime import timedelta

from _server import DATA, database, drop_database, serve, stop  # first: it sets the environment `app` reads

# isort: split
import httpx  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.auth import service as auth  # noqa: E402
from app.auth.principal import Principal  # noqa: E402
from app.courses import service as courses  # noqa: E402
from app.curricula import service as curricula  # noqa: E402
from app.db import make_engine, utcnow  # noqa: E402
from app.enrolment.models import Enrolment  # noqa: E402
from app.ops.migrate import upgrade  # noqa: E402
from app.people import service as people  # noqa: E402
from app.places import service as places  # noqa: E402
from tests.people.factories import person  # noqa: E402


def world(engine, n: int, seats: int) -> tuple[int, list[str]]:  # noqa: ANN001
    with Session(engine, expire_on_commit=False) as db:
        system = Principal.system("bench")
        curricula.sync(db, system)
        organiser = auth.create_user(db, system, username="org", password="Mat-khau-2026", role="organiser",
                                     unit=places.get_by_key(db, "24"))
        who = auth.principal_for(organiser, None)
        course = courses.create_course(db, who, curriculum_code="CT2", title="Lớp đông người")
        start = utcnow().date() + timedelta(days=20)
        courses.update_course(db, who, course.id, {"capacity": seats, "start_date": start, "end_date": start,
                                                   "registration_opens": utcnow().date(),
                                                   "registration_closes": start - timedelta(days=1)})
        courses.set_places(db, who, course.id, ["24"])
        db.get(type(course), course.id).status = "open"
        commune = places.get_by_key(db, "07432")
        tokens = []
        for i in range(1, n + 1):
            row = person(i)
            user = auth.create_user(db, system, username=f"hv{i}", password="Mat-khau-2026", role="trainee",
                                    unit=commune)
            data = people.parse_or_raise(db, {
                "full_name": row["Họ và tên"], "sex": row["Giới tính"], "birth_date": row["Ngày sinh"],
                "ethnicity": "kinh", "citizen_id": row["Số CCCD"], "position": "cong_chuc_vhxh",
                "organisation_type": "ubnd_xa", "commune": "07432", "in_charge_of_radio": i % 3 == 0})
            t = people.create_trainee(db, who, data)
            t.user_id = user.id
            tokens.append(auth.start_session(db, user, "api", None))
        db.commit()
        return course.id, tokens


async def rush(base: str, course_id: int, tokens: list[str]) -> tuple[list[float], list[int], float]:
    limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=300) as client:
        go = asyncio.Event()

        async def one(token: str) -> tuple[float, int]:
            await go.wait()
            t0 = time.perf_counter()
            r = await client.post(f"/api/v1/courses/{course_id}/enrolments", json={},
                                  headers={"Authorization": f"Bearer {token}"})
            return time.perf_counter() - t0, r.status_code

        tasks = [asyncio.create_task(one(t)) for t in tokens]
        await asyncio.sleep(0.5)
        start = time.perf_counter()
        go.set()
        results = await asyncio.gather(*tasks)
        wall = time.perf_counter() - start
    return [r[0] for r in results], [r[1] for r in results], wall


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    backend = sys.argv[1] if len(sys.argv) > 1 else "postgresql"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    seats = int(sys.argv[3]) if len(sys.argv) > 3 else 60
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    url, drop = database(backend)
    upgrade("head", url)
    engine = make_engine(url)
    t0 = time.perf_counter()
    course_id, tokens = world(engine, n, seats)
    print(f"{backend}: set up {n} trainees in {time.perf_counter() - t0:.1f} s; {workers} server worker(s)")
    proc, base = serve(url, workers)
    try:
        latencies, codes, wall = asyncio.run(rush(base, course_id, tokens))
    finally:
        stop(proc)
    with Session(engine) as db:
        counts = dict(db.execute(select(Enrolment.status, func.count()).where(Enrolment.course_id == course_id)
                                 .group_by(Enrolment.status)).all())
        distinct = db.scalar(select(func.count(func.distinct(Enrolment.trainee_id)))
                             .where(Enrolment.course_id == course_id))
    errors = sum(1 for c in codes if c >= 400)
    print("  status codes:", {c: codes.count(c) for c in sorted(set(codes))}, "server log:", DATA + "/server.log")
    print(f"  confirmed {counts.get('confirmed', 0)} of {seats} seats, waitlisted {counts.get('waitlisted', 0)}, "
          f"rows {sum(counts.values())} for {distinct} people, errors {errors}")
    print(f"  {n} registrations in {wall:.2f} s -> {n / wall:.0f} registrations/s")
    print(f"  latency p50 {pct(latencies, 50):.3f} s, p95 {pct(latencies, 95):.3f} s, p99 {pct(latencies, 99):.3f} s,"
          f" max {max(latencies):.3f} s")
    engine.dispose()
    drop_database(drop)


if __name__ == "__main__":
    main()
