"""A real `nangluc serve` in a process of its own, for the tests that need one: streaming bodies, killed servers,
a database restarted underneath, two processes sharing one database."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

NANGLUC = str(Path(sys.executable).parent / "nangluc")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "NANGLUC_DATABASE_URL": database_url, "NANGLUC_DATA_DIR": str(data_dir),
            "NANGLUC_ENV": "test", **extra}


def nangluc(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([NANGLUC, *args], env=env, check=check, capture_output=True, text=True)


def prepare(env: dict[str, str], demo_password: str | None = None) -> None:
    """Migrate and load the curricula (and the demo province when a password is given), as `make run` does."""
    nangluc(env, "db", "upgrade")
    nangluc(env, "curricula", "sync")
    if demo_password:
        nangluc(env, "demo", "--password", demo_password)


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """SIGKILL, as the kernel's out-of-memory killer or a pulled plug would: no clean-up runs."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


def health(url: str, timeout: float = 2) -> int:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=timeout) as r:  # noqa: S310 - our own local server
            return r.status
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:
        return 0


def serve(env: dict[str, str], log_path: Path, *, port: int | None = None, workers: int = 1,
          wait: float = 30) -> Server:
    port = port or free_port()
    log = open(log_path, "w")  # noqa: SIM115 - handed to the process, closed with the file object
    proc = subprocess.Popen([NANGLUC, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers",
                             str(workers)], env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", proc, log_path)
    deadline = time.time() + wait
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the server exited: " + server.log()[-2000:])
        # Every worker, not just the first: a worker still starting takes no connections, so a burst sent as soon
        # as one answers lands on the others (seen: a rush at 123/s instead of 150-160/s, one worker 0.5 s late).
        if health(server.url, 1) == 200 and server.log().count("Application startup complete.") >= workers:
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError("the server did not answer /healthz: " + server.log()[-2000:])
