"""What the benchmarks that drive a real server share: a throw-away data folder and database, `nangluc serve`.

Import it before anything from `app`: it puts this checkout on the path and sets the environment the app's settings
read (the data folder, a secret key, password hashing cheap enough to create hundreds of accounts). `nangluc` runs as
a child process with the same environment, so it serves this checkout too, even from a git worktree whose virtualenv
was installed from another one.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = tempfile.mkdtemp(prefix="nangluc-bench-")
NANGLUC = str(Path(sys.executable).parent / "nangluc")
ENV = {"NANGLUC_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789", "NANGLUC_DATA_DIR": DATA,
       "NANGLUC_ENV": "test", "NANGLUC_ARGON2_TIME_COST": "1", "NANGLUC_ARGON2_MEMORY_KIB": "1024",
       "NANGLUC_ARGON2_PARALLELISM": "1",
       "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
os.environ.update(ENV)

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

Dropping = tuple[Engine, str] | None


def database(backend: str, url: str | None = None) -> tuple[str, Dropping]:
    """An empty database: `url` if given, a file in the data folder for SQLite, or a new PostgreSQL database beside
    NANGLUC_TEST_POSTGRES_URL. Returns its URL and what `drop_database` needs to remove it (None: nothing to drop)."""
    from app.db import normalise_url  # not at the top: a script may set more of the environment after importing us

    if url:
        return url, None
    if backend == "sqlite":
        return f"sqlite:///{DATA}/bench.db", None
    admin_url = make_url(normalise_url(os.environ["NANGLUC_TEST_POSTGRES_URL"]))
    name = f"nangluc_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    return admin_url.set(database=name).render_as_string(hide_password=False), (admin, name)


def drop_database(dropping: Dropping) -> None:
    if dropping:
        admin, name = dropping
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def serve(url: str, workers: int, log_name: str = "server.log") -> tuple[subprocess.Popen, str]:
    """`nangluc serve` on a free port with `workers` processes, its output in DATA/`log_name`; returns it and its URL
    once /healthz answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(os.path.join(DATA, log_name), "w")  # noqa: SIM115 - the server writes to it until the end
    proc = subprocess.Popen([NANGLUC, "serve", "--port", str(port), "--workers", str(workers)],
                            env={**os.environ, "NANGLUC_DATABASE_URL": url}, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(900):  # up to 3 minutes or more: a busy machine starts the app slowly
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1):  # noqa: S310 - our own server
                return proc, base
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start; see " + log.name)


def stop(proc: subprocess.Popen) -> None:
    """Let the server finish its requests; kill it if it has not within 30 s."""
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
