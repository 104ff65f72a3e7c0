"""Soak test: minutes of mixed traffic against a real `nangluc serve` on PostgreSQL; prints what was served.

    NANGLUC_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/soak.py [--minutes 3] [--clients 24] [--workers 2] [--servers 1]
        [--backend postgresql] [--pgbouncer-prepared 200]

Builds a throw-away database with the demo province plus a class of 60 officials seated on the demo's open course,
a second open course with 200 officials who register and withdraw in turn, a training material, and the demo's
finished course with its certificates issued. Then `--clients` virtual users loop for `--minutes`, each picking:

    page views 30%  (dashboard, course list and page, roll-call and materials tabs, the sign-in page)
    registrations 15%  (register for the second course, or withdraw from it: the seat count moves all the time)
    roll calls 15%  (an organiser marks one person present/late/absent for a session of the first course)
    downloads 15%  (a seated trainee downloads the material; an organiser downloads a certificate PDF)
    verifications 15%  (anyone checks a certificate code, as the page or as JSON, now and then an unknown code)
    API reads 10%  (course, enrolment and trainee lists as an organiser)

With `--servers 2` (PostgreSQL) two `nangluc serve` processes share the database, and the virtual users are spread
over them as a load balancer would. Prints requests served, requests/s, errors (5xx or a broken connection; any
other unexpected status is listed separately), p50/p95/p99 latency overall and per kind, and the server processes'
memory every 30 s (a leak shows as growth that does not level off). With `--pgbouncer-prepared N` the servers reach
PostgreSQL through a PgBouncer 1.22+ in transaction mode that keeps N prepared statements per server connection (the
one `.ci/build-pgbouncer` builds), with `NANGLUC_DB_PGBOUNCER=true`. The verify rate limit is raised for the run (all
clients share one address). Not part of `make test`.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import subprocess
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

from _server import DATA, NANGLUC, database, drop_database, serve, stop

os.environ["NANGLUC_VERIFY_PER_MINUTE"] = "1000000"  # every virtual client comes from the same address
PASSWORD = "Demo-soak-2026"

import httpx  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.auth import service as auth  # noqa: E402
from app.auth.models import User  # noqa: E402
from app.auth.principal import Principal  # noqa: E402
from app.certificates import service as certificates  # noqa: E402
from app.courses import service as courses  # noqa: E402
from app.courses.models import Course  # noqa: E402
from app.db import make_engine, utcnow  # noqa: E402
from app.demo.courses import DEMO_TITLE, FINISHED_TITLE  # noqa: E402
from app.enrolment import service as enrolment  # noqa: E402
from app.ops.migrate import upgrade  # noqa: E402
from app.people import service as people  # noqa: E402
from app.places import service as places  # noqa: E402
from tests.materials.files import pdf  # noqa: E402
from tests.people.factories import person  # noqa: E402
from tests.reliability.pgbouncer import keeping_prepared, pgbouncer  # noqa: E402

WEIGHTS = {"page": 30, "register": 15, "roll_call": 15, "download": 15, "verify": 15, "api": 10}


def _official(db: Session, who: Principal, i: int, commune) -> tuple[User, int]:  # noqa: ANN001
    row = person(10_000 + i)
    user = auth.create_user(db, Principal.system("soak"), username=f"soak{i}", password=PASSWORD, role="trainee",
                            unit=commune)
    data = people.parse_or_raise(db, {
        "full_name": row["Họ và tên"], "sex": row["Giới tính"], "birth_date": row["Ngày sinh"], "ethnicity": "kinh",
        "citizen_id": row["Số CCCD"], "position": "cong_chuc_vhxh", "organisation_type": "ubnd_xa",
        "commune": "07432", "in_charge_of_radio": i % 3 == 0})
    t = people.create_trainee(db, who, data)
    t.user_id = user.id
    return user, t.id


def world(url: str) -> dict:
    env = {**os.environ, "NANGLUC_DATABASE_URL": url}
    for step in (["curricula", "sync"], ["demo", "--password", PASSWORD]):
        subprocess.run([NANGLUC, *step], env=env, check=True, capture_output=True)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as db:
        organiser = db.scalar(select(User).where(User.username == "organiser"))
        who = auth.principal_for(organiser, None)
        commune = places.get_by_key(db, "07432")
        first = db.scalar(select(Course).where(Course.title == DEMO_TITLE))
        courses.update_course(db, who, first.id, {"capacity": 200})
        seated = []
        for i in range(60):
            user, trainee_id = _official(db, who, i, commune)
            e = enrolment.register(db, who, first.id, trainee_id)
            seated.append((auth.start_session(db, user, "api", None), e.id))
        second = courses.create_course(db, who, curriculum_code="CT2", title="Lớp đăng ký liên tục")
        start = utcnow().date() + timedelta(days=40)
        courses.update_course(db, who, second.id, {"capacity": 120, "start_date": start, "end_date": start,
                                                   "registration_opens": utcnow().date(),
                                                   "registration_closes": start - timedelta(days=1)})
        courses.set_places(db, who, second.id, ["24"])
        db.get(Course, second.id).status = "open"
        registrants = []
        for i in range(60, 260):
            user, _ = _official(db, who, i, commune)
            registrants.append(auth.start_session(db, user, "api", None))
        finished = db.scalar(select(Course).where(Course.title == FINISHED_TITLE))
        issued = certificates.issue(db, who, finished.id).issued
        organiser_token = auth.start_session(db, organiser, "api", None)
        session_ids = [s.id for s in courses.get_course(db, who, first.id).sessions]
        db.commit()
        world = {"first": first.id, "second": second.id, "seated": seated, "registrants": registrants,
                 "organiser": organiser_token, "sessions": session_ids,
                 "certificates": [(c.id, c.code) for c in issued]}
    engine.dispose()
    return world


def rss_mb(pid: int) -> float:
    """Resident memory of the server and its worker processes, in MB."""
    total, pids = 0, [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


class Soak:
    def __init__(self, bases: list[str], w: dict, material_id: int, seconds: float) -> None:
        self.bases, self.w, self.material_id, self.seconds = bases, w, material_id, seconds
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.errors: list[str] = []
        self.enrolled: dict[str, int] = {}  # registrant token -> enrolment id while registered
        self.org = {"Authorization": f"Bearer {w['organiser']}"}
        self.memory: list[float] = []

    async def one(self, client: httpx.AsyncClient, rng: random.Random, cookies: dict) -> tuple[str, httpx.Response]:
        kind = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        w = self.w
        if kind == "page":
            path = rng.choice(["/dashboard", "/courses", f"/courses/{w['first']}", f"/courses/{w['first']}/attendance",
                               f"/courses/{w['first']}/materials", "/login"])
            return kind, await client.get(path, cookies=cookies if path != "/login" else None)
        if kind == "register":
            token = rng.choice(w["registrants"])
            h = {"Authorization": f"Bearer {token}"}
            if token in self.enrolled:
                e = self.enrolled.pop(token)
                return kind, await client.post(f"/api/v1/enrolments/{e}/withdraw", headers=h,
                                               json={"reason": "Bận công tác"})
            r = await client.post(f"/api/v1/courses/{w['second']}/enrolments", headers=h, json={})
            if r.status_code in (200, 201):
                self.enrolled[token] = r.json()["id"]
            return kind, r
        if kind == "roll_call":
            _, e = rng.choice(w["seated"])
            mark = {"session_id": rng.choice(w["sessions"]), "enrolment_id": e,
                    "status": rng.choice(["present", "present", "present", "late", "absent"])}
            return kind, await client.post(f"/api/v1/courses/{w['first']}/attendance", headers=self.org,
                                           json={"marks": [mark]})
        if kind == "download":
            if rng.random() < 0.7:
                token, _ = rng.choice(w["seated"])
                return kind, await client.get(f"/api/v1/materials/{self.material_id}/download",
                                              headers={"Authorization": f"Bearer {token}"})
            cid, _ = rng.choice(w["certificates"])
            return kind, await client.get(f"/api/v1/certificates/{cid}.pdf", headers=self.org)
        if kind == "verify":
            code = rng.choice(w["certificates"])[1] if rng.random() < 0.9 else "ABCDEFGHJKMNPQRSTVWXYZ23"
            json_answer = rng.random() < 0.5
            return kind, await client.get(f"/verify/{code}", headers={"Accept": "application/json"}
                                          if json_answer else {})
        path = rng.choice(["/api/v1/courses", f"/api/v1/courses/{w['first']}/enrolments", "/api/v1/trainees?q=nguyen",
                           f"/api/v1/courses/{w['second']}"])
        return kind, await client.get(path, headers=self.org)

    async def user(self, n: int, deadline: float) -> None:
        rng = random.Random(n)
        async with httpx.AsyncClient(base_url=self.bases[n % len(self.bases)], timeout=60) as client:
            await client.get("/login")
            r = await client.post("/login", data={"username": "organiser", "password": PASSWORD,
                                                  "csrf_token": client.cookies.get("nangluc_csrf", ""),
                                                  "next": "/dashboard"})
            cookies = dict(client.cookies)
            client.cookies.clear()
            assert r.status_code in (200, 303), r.status_code
            while time.monotonic() < deadline:
                t0 = time.perf_counter()
                try:
                    kind, r = await self.one(client, rng, cookies)
                except httpx.HTTPError as exc:
                    where = f"{exc.request.method} {exc.request.url.path}" if getattr(exc, "_request", None) else ""
                    self.errors.append(f"{type(exc).__name__} {where} after {time.perf_counter() - t0:.2f} s: {exc}")
                    continue
                self.latency[kind].append(time.perf_counter() - t0)
                self.statuses[kind][r.status_code] += 1
                if r.status_code >= 500:
                    self.errors.append(f"{kind} {r.request.method} {r.request.url.path}: {r.status_code}")

    async def sample_memory(self, pids: list[int], deadline: float) -> None:
        """The servers' memory every 30 s: growth that levels off is warm-up (caches, pools); steady growth a leak."""
        while time.monotonic() < deadline:
            self.memory.append(sum(rss_mb(pid) for pid in pids))
            await asyncio.sleep(min(30, max(0.1, deadline - time.monotonic())))
        self.memory.append(sum(rss_mb(pid) for pid in pids))

    async def run(self, clients: int, pids: list[int]) -> float:
        deadline = time.monotonic() + self.seconds
        start = time.perf_counter()
        await asyncio.gather(self.sample_memory(pids, deadline), *(self.user(n, deadline) for n in range(clients)))
        return time.perf_counter() - start


EXPECTED = {"page": {200}, "register": {200, 201, 409}, "roll_call": {200}, "download": {200},
            "verify": {200, 404}, "api": {200}}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--clients", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--servers", type=int, default=1, help="app servers sharing the database")
    parser.add_argument("--backend", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--url", help="an empty database to use instead of a throw-away one")
    parser.add_argument("--pgbouncer-prepared", type=int, metavar="N",
                        help="the servers behind a PgBouncer 1.22+ keeping N prepared statements per server connection")
    args = parser.parse_args()
    url, drop = database(args.backend, args.url)
    upgrade("head", url)
    t0 = time.perf_counter()
    w = world(url)
    print(f"{args.backend}: set up in {time.perf_counter() - t0:.0f} s ({len(w['seated'])} seated, "
          f"{len(w['registrants'])} registrants, {len(w['certificates'])} certificates); {args.workers} worker(s), "
          f"{args.clients} clients, {args.minutes:g} min, {args.servers} server(s)")
    bouncer = contextlib.nullcontext(url)
    if args.pgbouncer_prepared is not None:
        binary = keeping_prepared()
        if binary is None:
            parser.error("no PgBouncer 1.22 or later here: bash .ci/build-pgbouncer builds one")
        bouncer = pgbouncer(url, binary=binary, prepared=args.pgbouncer_prepared)
        os.environ["NANGLUC_DB_PGBOUNCER"] = "true"
    with bouncer as served_url:
        soak, wall = _run(args, served_url, w)
    report(args, soak, wall)
    drop_database(drop)


def _run(args: argparse.Namespace, url: str, w: dict) -> tuple[Soak, float]:
    servers = [serve(url, args.workers, log_name=f"server-{n}.log") for n in range(args.servers)]
    base = servers[0][1]
    try:
        up = httpx.post(base + "/api/v1/materials", headers={"Authorization": f"Bearer {w['organiser']}"},
                        data={"course_id": str(w["first"]), "title": "Bài giảng chuyên đề 1"},
                        files=[("files", ("bai-giang.pdf", pdf() + b"%" + b"0" * 400_000, "application/pdf"))])
        up.raise_for_status()
        material_id = up.json()["items"][0]["id"]
        soak = Soak([b for _, b in servers], w, material_id, args.minutes * 60)
        wall = asyncio.run(soak.run(args.clients, [p.pid for p, _ in servers]))
    finally:
        for proc, _ in servers:
            stop(proc)
    return soak, wall


def report(args: argparse.Namespace, soak: Soak, wall: float) -> None:
    everything = [x for values in soak.latency.values() for x in values]
    served = len(everything)
    unexpected = {k: {s: n for s, n in c.items() if s not in EXPECTED[k]} for k, c in soak.statuses.items()}
    unexpected = {k: v for k, v in unexpected.items() if v}
    log = "".join(Path(DATA, f"server-{n}.log").read_text(errors="replace") for n in range(args.servers))
    print(f"  {served:,} requests in {wall:.0f} s: {served / wall:.1f} requests/s; errors {len(soak.errors)}"
          f" (5xx or broken connections); tracebacks in the server log: {log.count('Traceback')}")
    if soak.errors:
        print("  first errors:", soak.errors[:5])
    if unexpected:
        print("  other unexpected statuses:", unexpected)
    print(f"  latency p50 {pct(everything, 50) * 1000:.0f} ms, p95 {pct(everything, 95) * 1000:.0f} ms, "
          f"p99 {pct(everything, 99) * 1000:.0f} ms, max {max(everything) * 1000:.0f} ms")
    print("  | kind | requests | statuses | p50 | p95 | p99 |")
    for kind in WEIGHTS:
        values = soak.latency.get(kind, [])
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(soak.statuses[kind].items()))
        print(f"  | {kind} | {len(values):,} | {statuses} | {pct(values, 50) * 1000:.0f} ms | "
              f"{pct(values, 95) * 1000:.0f} ms | {pct(values, 99) * 1000:.0f} ms |")
    print("  server memory (all workers), every 30 s: " + ", ".join(f"{m:.0f}" for m in soak.memory)
          + f" MB; logs: {DATA}/server-*.log")


if __name__ == "__main__":
    main()
