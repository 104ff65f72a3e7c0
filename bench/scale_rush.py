"""Benchmark: the double-tap rush on one or two app servers, straight on PostgreSQL or through PgBouncer.

    NANGLUC_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/scale_rush.py [--servers 1] [--workers 2] [--pgbouncer [--pgbouncer-pool 20]]
        [--pgbouncer-prepared 200]
        [--people 500] [--seats 60] [--withdraw 10] [--warm] [--floor]

500 officials each press "Đăng ký" twice at the same instant (a double tap) for a 60-seat course; the presses are
spread over the servers (each official's two presses land on different servers when there are two); as soon as 10 of
them learn they are seated, they withdraw (during the rush), so their seats go to the waitlist. Prints what the
database holds (confirmed, waitlisted, withdrawn, rows, people), the status codes (5xx must be 0), first presses per
second, p50/p99 of the presses, the load average, and the CPU time per official split between the app servers,
PostgreSQL (and PgBouncer) and this client.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import threading
import time
from collections import Counter
from contextlib import nullcontext, suppress
from pathlib import Path

from _server import DATA, database, drop_database  # first: it sets the environment `app` reads

# isort: split
import httpx  # noqa: E402
from enrolment_rush import pct, world  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.db import make_engine  # noqa: E402
from app.enrolment.models import Enrolment  # noqa: E402
from app.ops.migrate import upgrade  # noqa: E402
from tests.reliability import live  # noqa: E402
from tests.reliability.pgbouncer import BINARY, keeping_prepared, pgbouncer, version  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[str, int, int]:
    """(name, own CPU ticks, CPU ticks of reaped children) of a process."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    name = raw[raw.index("(") + 1:raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2:].split()
    return name, int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def _processes() -> dict[int, tuple[str, int, int, int]]:
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                name, own, children = _stat(int(entry))
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            out[int(entry)] = (name, own, children, ppid)
    return out


class Backends:
    """The CPU time of the bench database's own PostgreSQL backends, sampled every half second during the rush (the
    server is shared: other databases' backends are not ours). A backend that ends between two samples loses at
    most its last half second; one that starts during the rush counts from zero."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url, pool_size=1, max_overflow=0)
        self.first: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> dict[int, int]:
        with self.engine.connect() as c:
            pids = c.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                                  " AND pid <> pg_backend_pid()")).all()
        out = {}
        for pid in pids:
            with suppress(OSError):
                out[pid] = _stat(pid)[1]
        return out

    def _run(self) -> None:
        while not self.stop.wait(0.5):
            self.last.update(self._sample())

    def __enter__(self) -> Backends:
        self.first = self._sample()
        self.last = dict(self.first)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self.last.update(self._sample())
        self.engine.dispose()

    def seconds(self) -> float:
        return sum(t - self.first.get(pid, 0) for pid, t in self.last.items()) / TICKS


def cpu_seconds(server_pids: list[int]) -> dict[str, float]:
    """CPU seconds used so far by the app servers (with their workers), PostgreSQL (every backend on the machine,
    other sessions' included: the postmaster's reaped children count too), PgBouncer and this client."""
    procs = _processes()

    def tree(root: int) -> float:
        total = procs[root][1] + procs[root][2] if root in procs else 0
        return total + sum(tree(p) for p, (_, _, _, ppid) in procs.items() if ppid == root)

    postgres = sum(own + (children if procs.get(ppid, ("",))[0] != "postgres" else 0)
                   for name, own, children, ppid in procs.values() if name == "postgres")
    self_usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"servers": sum(tree(p) for p in server_pids) / TICKS, "postgres": postgres / TICKS,
            "pgbouncer": sum(own for name, own, _, _ in procs.values() if name == "pgbouncer") / TICKS,
            "client": self_usage.ru_utime + self_usage.ru_stime}


class Answer:
    """What `post` read back: the status and the JSON body."""

    def __init__(self, status_code: int, body: bytes) -> None:
        self.status_code = status_code
        self.body = body

    def json(self) -> dict:
        return json.loads(self.body)


async def post(url: str, path: str, payload: dict | None, token: str) -> Answer:
    """POST a JSON body on a connection of its own (as a phone opens one) and read the answer: HTTP/1.1 written and
    read by hand, so that this client, sharing the machine's two cores with the servers and PostgreSQL, spends a
    tenth of httpx's CPU per request (``--client httpx`` measures with httpx)."""
    host, port = url.removeprefix("http://").split(":")
    body = b"" if payload is None else json.dumps(payload).encode()
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        head = (f"GET {path} HTTP/1.1\r\n" if payload is None else
                f"POST {path} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n")
        writer.write(f"{head}Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
                     .encode() + body)
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        length = {k.lower(): v for k, v in headers.items()}.get("content-length")
        data = await (reader.readexactly(int(length)) if length is not None else reader.read())
        return Answer(int(lines[0].split()[1]), data)
    finally:
        writer.close()


async def rush(urls: list[str], course_id: int, tokens: list[str], withdrawals: int, client: str = "raw",
               floor: bool = False) -> tuple[list[float], Counter, float, float]:
    """Every official presses twice at once; the first `withdrawals` told they are seated withdraw at once.
    Returns the presses' latencies, all status codes, the time until every first press was answered, and the wall
    time of the whole rush. `floor`: each press asks `GET /api/v1/me` instead (the framework and the sign-in check
    alone: what any request costs here)."""
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
    clients = [httpx.AsyncClient(base_url=u, limits=limits, timeout=600) for u in urls]
    go = asyncio.Event()
    codes: Counter = Counter()
    latencies: list[float] = []
    first_done: list[float] = []
    left = [withdrawals]
    start = 0.0

    async def send(n: int, path: str, payload: dict, token: str) -> Answer:
        if floor:
            return await post(urls[n], "/api/v1/me", None, token)
        if client == "httpx":
            r = await clients[n].post(path, json=payload, headers={"Authorization": f"Bearer {token}"})
            return Answer(r.status_code, r.content)
        return await post(urls[n], path, payload, token)

    async def press(i: int, token: str, tap: int) -> None:
        n = (i + tap) % len(urls)
        await go.wait()
        t0 = time.perf_counter()
        r = await send(n, f"/api/v1/courses/{course_id}/enrolments", {}, token)
        latencies.append(time.perf_counter() - t0)
        codes[r.status_code] += 1
        if tap == 0:
            first_done.append(time.perf_counter() - start)
        if not floor and r.status_code in (200, 201) and r.json()["status"] == "confirmed" and tap == 0 and left[0] > 0:
            left[0] -= 1
            w = await send(n, f"/api/v1/enrolments/{r.json()['id']}/withdraw", {"reason": ""}, token)
            codes[f"withdraw {w.status_code}"] += 1

    tasks = [asyncio.create_task(press(i, t, tap)) for i, t in enumerate(tokens) for tap in (0, 1)]
    await asyncio.sleep(1.0)
    start = time.perf_counter()
    go.set()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - start
    for c in clients:
        await c.aclose()
    return latencies, codes, max(first_done), wall


async def look(servers: list, course_id: int, tokens: list[str], at_once: int = 20) -> None:
    """Every official opens the course before the rush, `at_once` at a time, spread over the servers."""
    gate = asyncio.Semaphore(at_once)

    async def one(i: int, token: str) -> None:
        async with gate:
            r = await post(servers[i % len(servers)].url, f"/api/v1/courses/{course_id}", None, token)
            assert r.status_code == 200, (r.status_code, r.body[:200])

    await asyncio.gather(*(one(i, t) for i, t in enumerate(tokens)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pgbouncer", action="store_true")
    parser.add_argument("--pgbouncer-pool", type=int, default=20,
                        help="PgBouncer's default_pool_size: how many real PostgreSQL connections it shares out")
    parser.add_argument("--pgbouncer-prepared", type=int, metavar="N",
                        help="put the servers behind a PgBouncer that keeps prepared statements (1.22 or later: Debian"
                             " 13's, or the one .ci/build-pgbouncer builds) with max_prepared_statements N;"
                             " without it, --pgbouncer runs Debian's as it is (1.18 on Debian 12: none kept)")
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--seats", type=int, default=60)
    parser.add_argument("--withdraw", type=int, default=10)
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw",
                        help="how this script sends its requests: HTTP written by hand (default) or httpx")
    parser.add_argument("--warm", action="store_true",
                        help="before the instant, each official opens the course (GET /api/v1/courses/{id}), twenty at"
                             " a time, as they would while waiting for registration to open: the rush then meets"
                             " servers that have served (pooled connections, threads, statements compiled)")
    parser.add_argument("--floor", action="store_true",
                        help="each press asks GET /api/v1/me instead of registering: what any signed-in request"
                             " costs on these servers (the floor under the registration's figures)")
    args = parser.parse_args()
    binary = BINARY
    if args.pgbouncer_prepared is not None:
        args.pgbouncer, binary = True, keeping_prepared()
        if binary is None:
            parser.error("no PgBouncer 1.22 or later here: bash .ci/build-pgbouncer builds one")
    url, drop = database("postgresql")
    upgrade("head", url)
    engine = make_engine(url)
    course_id, tokens = world(engine, args.people, args.seats)
    through = (f"PgBouncer {'.'.join(map(str, version(binary)))} ({args.pgbouncer_pool} server connections"
               + (f", max_prepared_statements {args.pgbouncer_prepared}" if args.pgbouncer_prepared is not None else "")
               + ")") if args.pgbouncer else "direct"
    shape = f"{args.servers} server(s) x {args.workers} workers, {through}"
    print(f"{shape}: {args.people} officials x 2 presses, {args.seats} seats, {args.withdraw} withdraw;"
          f" client {args.client}" + ("; servers warmed: each official opened the course first" if args.warm else "")
          + ("; FLOOR: GET /api/v1/me instead of registering" if args.floor else ""))
    with (pgbouncer(url, pool_size=args.pgbouncer_pool, binary=binary, prepared=args.pgbouncer_prepared)
          if args.pgbouncer else nullcontext(url)) as served:
        extra = {"NANGLUC_DB_PGBOUNCER": "true"} if args.pgbouncer else {}
        env = live.environment(served, Path(DATA), **extra)
        servers = [live.serve(env, Path(DATA) / f"server-{n}.log", workers=args.workers, wait=180)
                   for n in range(args.servers)]
        try:
            time.sleep(2)
            if args.warm:
                asyncio.run(look(servers, course_id, tokens))
                time.sleep(1)
            with Backends(url) as ours:
                before = cpu_seconds([s.proc.pid for s in servers])
                latencies, codes, first_wall, wall = asyncio.run(
                    rush([s.url for s in servers], course_id, tokens, args.withdraw, args.client, args.floor))
                after = cpu_seconds([s.proc.pid for s in servers])
            load = os.getloadavg()[0]
        finally:
            for s in servers:
                s.stop()
    with Session(engine) as db:
        by_status = dict(db.execute(select(Enrolment.status, func.count()).where(Enrolment.course_id == course_id)
                                    .group_by(Enrolment.status)).all())
        people = db.scalar(select(func.count(func.distinct(Enrolment.trainee_id)))
                           .where(Enrolment.course_id == course_id))
    server_errors = sum(n for c, n in codes.items() if str(c).split()[-1].startswith("5"))
    print("  status codes:", dict(sorted(codes.items(), key=str)), " logs:", DATA)
    print(f"  confirmed {by_status.get('confirmed', 0)} of {args.seats}, waitlisted {by_status.get('waitlisted', 0)},"
          f" withdrawn {by_status.get('withdrawn', 0)}; rows {sum(by_status.values())} for {people} people;"
          f" 5xx {server_errors}")
    print(f"  first presses: {args.people} in {first_wall:.2f} s -> {args.people / first_wall:.0f}/s; "
          f"whole rush {wall:.2f} s")
    print(f"  presses p50 {pct(latencies, 50):.3f} s, p99 {pct(latencies, 99):.3f} s, max {max(latencies):.3f} s;"
          f" load average (1 min) {load:.1f}")
    used = {k: after[k] - before[k] for k in after}
    machine_postgres = used["postgres"]
    used["postgres"] = ours.seconds()  # this database's backends only
    total = sum(used.values())
    print("  CPU per official: " + ", ".join(f"{k} {1000 * v / args.people:.1f} ms" for k, v in used.items())
          + f" (total {total:.1f} s over {wall:.1f} s of wall time); every PostgreSQL process on the machine"
          f" {1000 * machine_postgres / args.people:.1f} ms")
    engine.dispose()
    drop_database(drop)


if __name__ == "__main__":
    main()
