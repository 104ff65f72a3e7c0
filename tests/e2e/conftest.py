"""Browser tests: Debian's Chromium driven by Playwright against the app served by a real uvicorn.

Never `playwright install`: the browser is /usr/bin/chromium (apt-get install chromium). Without it these tests
skip, and REQUIRE_BROWSER=1 turns that into a failure.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import fresh_database_url

CHROMIUM = os.environ.get("NANGLUC_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
DEMO_PASSWORD = "Demo-e2e-2026"
NANGLUC = str(Path(sys.executable).parent / "nangluc")


def _require_browser() -> None:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but no Chromium at {CHROMIUM} (apt-get install -y chromium)")
        pytest.skip("no Chromium at /usr/bin/chromium (REQUIRE_BROWSER=1 makes this fail)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):  # noqa: ANN001
    _require_browser()
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS, "headless": True}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(backend: str, tmp_path_factory):  # noqa: ANN001
    """The app as an organiser runs it: migrate, load curricula and demo data, serve. Yields the base URL."""
    _require_browser()
    with serve_demo(backend, tmp_path_factory.mktemp(f"live-{backend}")) as base:
        yield base


@contextmanager
def serve_demo(backend: str, data: Path, demo: Sequence[str] = ()) -> Iterator[str]:
    """A fresh database of the given kind with the demo province, served by `nangluc serve`; yields the base URL.
    A test that changes much of the demo's data, or needs other data, takes a server of its own rather than the
    shared `live_server`; `demo` adds options to `nangluc demo` (e.g. `--scale national --fraction 0.05`)."""
    port = _free_port()
    env = {**os.environ, "NANGLUC_DATABASE_URL": fresh_database_url(backend), "NANGLUC_DATA_DIR": str(data),
           "NANGLUC_PUBLIC_URL": f"http://127.0.0.1:{port}", "NANGLUC_ENV": "test"}
    for step in (["db", "upgrade"], ["curricula", "sync"], ["demo", "--password", DEMO_PASSWORD, *demo]):
        subprocess.run([NANGLUC, *step], env=env, check=True, capture_output=True, text=True)
    log = open(data / "server.log", "w")  # noqa: SIM115
    proc = subprocess.Popen([NANGLUC, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as r:  # noqa: S310
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        proc.terminate()
        pytest.fail("the server did not answer /healthz: " + (data / "server.log").read_text()[-500:])
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def sign_in_as(page, base: str, username: str) -> None:  # noqa: ANN001
    """Sign in through the real form with the demo password and land on the dashboard."""
    from playwright.sync_api import expect

    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]:has-text('Đăng nhập')")
    expect(page).to_have_url(re.compile(r"/dashboard$"))


def open_menu(page) -> None:  # noqa: ANN001
    """On a phone the header's menu is behind one button (a <details>); open it unless it is open already."""
    if not page.evaluate("() => { const m = document.getElementById('site-menu'); return !m || m.open; }"):
        page.click("#site-menu > summary")
