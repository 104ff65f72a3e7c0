"""A real PgBouncer (Debian's `pgbouncer`, 1.18) in transaction mode in front of the test PostgreSQL, for the tests
and the benchmark that put the app behind it, as docs/operations.md describes for several app servers."""
from __future__ import annotations

import contextlib
import os
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


def available() -> bool:
    return os.path.exists(BINARY)


@contextlib.contextmanager
def pgbouncer(database_url: str, pool_size: int = 20) -> Iterator[str]:
    """Run PgBouncer (transaction pooling, `pool_size` server connections per database and user) in front of the
    server of `database_url`; yields the same URL pointing at PgBouncer. Stopped and removed on exit."""
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
max_client_conn = 2000
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
""")
    folder.chmod(0o777)  # pgbouncer refuses to run as root: it drops to `nobody`, who writes its log and pid here
    for f in folder.iterdir():
        f.chmod(0o666)
    command = [BINARY, str(folder / "pgbouncer.ini")]
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
