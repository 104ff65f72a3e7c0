"""A throw-away PostgreSQL cluster of the test's own (initdb + pg_ctl on a free port), for tests that stop and start
the server: the shared test server on 5432 is used by other sessions and must never be restarted."""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reliability.live import free_port


def pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class Cluster:
    bin: Path
    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/nangluc"

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            cmd = ["su", "postgres", "-c", " ".join(f"'{a}'" for a in cmd)]
        return subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=120)

    def ctl(self, action: str, *extra: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.data / "log"), "-w", "-t", "60",
                  "-o", f"-h 127.0.0.1 -p {self.port} -k /tmp -F -c max_connections=200", *extra, action)

    def start(self) -> None:
        self.ctl("start")

    def stop(self, mode: str = "fast") -> None:
        self.ctl("stop", "-m", mode)

    def restart(self, mode: str = "fast") -> None:
        self.ctl("restart", "-m", mode)


def throwaway_cluster() -> Cluster:
    """initdb a cluster (trust authentication, fsync off) on a free port, start it and create database `nangluc`."""
    binary = pg_bin()
    if binary is None:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but PostgreSQL's initdb is not installed (apt-get install postgresql)")
        pytest.skip("PostgreSQL's initdb is not installed")
    data = Path(tempfile.mkdtemp(prefix="nangluc-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    cluster = Cluster(binary, data, free_port())
    cluster._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8")
    cluster.start()
    subprocess.run([str(binary / "psql"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "-q", "-c",
                    "CREATE DATABASE nangluc"], check=True, capture_output=True)
    return cluster


def remove(cluster: Cluster) -> None:
    with contextlib.suppress(subprocess.CalledProcessError):
        cluster.stop("immediate")
    shutil.rmtree(cluster.data, ignore_errors=True)
