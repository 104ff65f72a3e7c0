"""Benchmark: a class downloads the same video at once, some players resuming with Range, against a real server.

    .venv/bin/python bench/materials_downloads.py sqlite 100 20          # backend, downloads, megabytes
    NANGLUC_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/materials_downloads.py postgresql 100 20

Builds a throw-away database with the demo data (`nangluc db upgrade`, `nangluc demo`), starts `nangluc serve`,
uploads an N MB MP4 to the demo course as the organiser, seats the demo trainee, then sends every download at once
(every fourth one a `Range: bytes=…-` resume). Prints errors, MB/s, p50/p95 time to the last byte, and checks that
each whole download was counted once and no resume was: every count is its own short write transaction, which on
SQLite must queue rather than fail.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import _server  # noqa: I001 - first: this checkout on the path, the benchmark's environment
import httpx

PASSWORD = "Bench-mat-khau-2026"


def mp4(megabytes: int) -> bytes:
    ftyp = (24).to_bytes(4, "big") + b"ftypisom\0\0\0\0isommp41"
    return ftyp + os.urandom(megabytes * 1024 * 1024)


async def fetch(client: httpx.AsyncClient, url: str, headers: dict, start: int | None) -> tuple[int, int, float]:
    t0 = time.perf_counter()
    h = {**headers, **({"Range": f"bytes={start}-"} if start is not None else {})}
    size = 0
    async with client.stream("GET", url, headers=h) as r:
        async for chunk in r.aiter_bytes():
            size += len(chunk)
    return r.status_code, size, time.perf_counter() - t0


async def rush(base: str, token: str, material_id: int, n: int, total: int) -> list[tuple[int, int, float]]:
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(base_url=base, timeout=300, limits=limits) as client:
        url = f"/api/v1/materials/{material_id}/download"
        return await asyncio.gather(*(fetch(client, url, headers, total // 2 if i % 4 == 3 else None)
                                      for i in range(n)))


def main(backend: str, n: int, megabytes: int) -> None:
    url, dropping = _server.database(backend)
    env = {**os.environ, "NANGLUC_DATABASE_URL": url}
    for step in (["db", "upgrade"], ["demo", "--password", PASSWORD]):
        subprocess.run([_server.NANGLUC, *step], env=env, check=True, capture_output=True)
    server, base = _server.serve(url, 1)
    try:
        def token(user: str) -> str:
            return httpx.post(base + "/api/v1/auth/token", data={"username": user, "password": PASSWORD}
                              ).json()["access_token"]

        org = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token('organiser')}"}, timeout=120)
        course = next(c for c in org.get("/api/v1/courses").json()["items"] if c["status"] == "open")
        body = mp4(megabytes)
        up = org.post("/api/v1/materials", data={"course_id": str(course["id"])},
                      files=[("files", ("Video bài giảng.mp4", body, "video/mp4"))])
        up.raise_for_status()
        material = up.json()["items"][0]["id"]
        trainee = token("trainee")
        seat = httpx.post(f"{base}/api/v1/courses/{course['id']}/enrolments", json={},
                          headers={"Authorization": f"Bearer {trainee}"})
        assert seat.json()["status"] == "confirmed", seat.text
        t0 = time.perf_counter()
        results = asyncio.run(rush(base, trainee, material, n, len(body)))
        wall = time.perf_counter() - t0
        ok_full = sum(1 for s, size, _ in results if s == 200 and size == len(body))
        ok_part = sum(1 for s, size, _ in results if s == 206 and size == len(body) - len(body) // 2)
        errors = n - ok_full - ok_part
        moved = sum(size for _, size, _ in results) / (1024 * 1024)
        times = sorted(t for _, _, t in results)
        counted = org.get(f"/api/v1/materials/{material}").json()["download_count"]
        print(f"{backend}: {n} downloads of {megabytes} MB ({ok_full} whole, {ok_part} resumed), errors {errors}")
        print(f"  {moved:.0f} MB in {wall:.2f} s = {moved / wall:.0f} MB/s; "
              f"p50 {times[len(times) // 2]:.2f} s, p95 {times[int(len(times) * 0.95) - 1]:.2f} s")
        print(f"  counted {counted} (expected {ok_full}: resumes are not new downloads)")
        if errors:
            from collections import Counter

            print("  answers:", dict(Counter((s, size) for s, size, _ in results)))
    finally:
        _server.stop(server)
        if os.environ.get("KEEP"):
            print("  log:", Path(_server.DATA) / "server.log")
        else:
            shutil.rmtree(_server.DATA, ignore_errors=True)
        _server.drop_database(dropping)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "sqlite", int(sys.argv[2]) if len(sys.argv) > 2 else 100,
         int(sys.argv[3]) if len(sys.argv) > 3 else 20)
