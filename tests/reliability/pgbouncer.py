"""A real PgBouncer in transaction mode in front of the test PostgreSQL, for the tests and the benchmark that put the
app behind it, as docs/operations.md describes for several app servers.

Two of them: Debian's `pgbouncer` (1.18 on Debian 12: it cannot keep prepared statements), and one that can (1.22 or
later: Debian 13's, or the one `.ci/build-pgbouncer` builds from Debian 13's source into /opt)."""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.reliability.live import free_port

BINARY = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
BUILT = "/opt/pgbouncer-1.24.1/bin/pgbouncer"  # where .ci/build-pgbouncer installs its build
KEEPS_PREPARED = (1, 22)  # max_prepared_statements since 1.21; DEALLOCATE ALL (which psycopg sends) since 1.22


def available() -> bool:
    return os.path.exists(BINARY)


def version(binary: str) -> tuple[int, ...]:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout
    found = re.search(r"PgBouncer (\d+)\.(\d+)", out)
    return tuple(int(n) for n in found.groups()) if found else (0,)


def keeping_prepared() -> str | None:
    """A PgBouncer that can keep prepared statements across its connections: NANGLUC_TEST_PGBOUNCER if set, else
    Debian's if new enough, else the one built by .ci/build-pgbouncer; None if there is none."""
    for binary in (os.environ.get("NANGLUC_TEST_PGBOUNCER"), BINARY, BUILT):
        if binary and os.path.exists(binary) and version(binary) >= KEEPS_PREPARED:
            return binary
    return None


def newer_pgbouncer() -> str:
    """`keeping_prepared()` for a test: fails the test without one when REQUIRE_POSTGRES=1 (CI), skips it otherwise."""
    import pytest

    binary = keeping_prepared()
    if binary is None:
        message = "no PgBouncer 1.22 or later here: `bash .ci/build-pgbouncer` builds one (.ci/run does)"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return binary


@contextlib.contextmanager
def pgbouncer(database_url: str, pool_size: int = 20, binary: str = BINARY,
              prepared: int | None = None) -> Iterator[str]:
    """Run PgBouncer (transaction pooling, `pool_size` server connections per database and user) in front of the
    server of `database_url`; yields the same URL pointing at PgBouncer. Stopped and removed on exit.

    `prepared`: its `max_prepared_statements` (1.21 and later), how many prepared statements it keeps per server
    connection; None leaves the version's default (0 until 1.23, 200 from 1.24)."""
    url = make_url(database_url)
    folder = Path(tempfile.mkdtemp(prefix="nangluc-pgbouncer-"))
    port = free_port()
    user = url.username or "postgres"
    (folder / "users.txt").write_text(f'"{user}" "{url.password or ""}"\n')
    (folder / "pgbouncer.ini").write_text(f"""[databases]
* = host={url.host or "127.0.0.1"} port={url.port or 5432}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/users.txt
pool_mode = transaction
default_pool_size = {pool_size}
{"" if prepared is None else f"max_prepared_statements = {prepared}"}
max_client_conn = 2000
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
""")
    folder.chmod(0o777)  # pgbouncer refuses to run as root: it drops to `nobody`, who writes its log and pid here
    for f in folder.iterdir():
        f.chmod(0o666)
    command = [binary, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:
        command[1:1] = ["-u", "nobody"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        log = folder / "pgbouncer.log"
        while not (log.exists() and "listening on 127.0.0.1" in log.read_text(errors="replace")):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("pgbouncer did not start: " + (log.read_text() if log.exists() else ""))
            time.sleep(0.05)
        yield url.set(port=port).render_as_string(hide_password=False)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # SIGINT: stop now (SIGTERM would wait for clients to leave)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(folder, ignore_errors=True)
