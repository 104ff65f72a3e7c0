"""The `nangluc` command as an IT officer runs it, against a real database file."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import fresh_database_url

NANGLUC = str(Path(sys.executable).parent / "nangluc")


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([NANGLUC, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=300)


def test_upgrade_demo_twice_and_user_create(backend, tmp_path):
    env = {"NANGLUC_DATABASE_URL": fresh_database_url(backend), "NANGLUC_DATA_DIR": str(tmp_path)}
    assert run(env, "db", "upgrade").returncode == 0
    first = run(env, "demo")
    assert first.returncode == 0, first.stderr
    assert "created admin" in first.stdout and "demo password:" in first.stdout
    second = run(env, "demo", "--password", "another-password")
    assert second.returncode == 0
    assert "created" not in second.stdout and "exists  trainee" in second.stdout
    made = run(env, "user", "create", "canbo.tandinh", "--role", "organiser", "--unit", "07432",
               "--password", "Mat-khau-manh-2026")
    assert made.returncode == 0, made.stderr
    assert "created canbo.tandinh (organiser, 07432)" in made.stdout
    again = run(env, "user", "create", "canbo.tandinh", "--role", "trainer", "--password", "Mat-khau-manh-2026")
    assert again.returncode == 1 and "đã được dùng" in again.stderr
    nowhere = run(env, "user", "create", "canbo.x", "--role", "organiser", "--unit", "99999",
                  "--password", "Mat-khau-manh-2026")
    assert nowhere.returncode == 1 and "99999" in nowhere.stderr
