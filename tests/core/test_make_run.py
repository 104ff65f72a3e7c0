"""`make run` on a fresh machine: the demo accounts are created with the Makefile's password, so that password must
pass the password policy for every demo account (a guessable default once stopped `make run` at the demo step), and
the README must name the same one."""
from __future__ import annotations

import re
from pathlib import Path

from app.auth.passwords import MIN_PASSWORD_LENGTH
from app.auth.rules import password_problem
from app.demo.load import DEMO_ACCOUNTS

ROOT = Path(__file__).resolve().parents[2]


def _makefile_password() -> str:
    return re.search(r"^DEMO_PASSWORD \?= (\S+)$", (ROOT / "Makefile").read_text(), re.M).group(1)


def test_the_demo_password_of_make_run_passes_the_policy_for_every_demo_account():
    password = _makefile_password()
    for username, _, full_name, _ in DEMO_ACCOUNTS:
        assert password_problem(password, username, MIN_PASSWORD_LENGTH, (full_name,)) is None, username


def test_the_readme_gives_the_password_make_run_sets():
    readme = (ROOT / "README.md").read_text()
    assert f"**`{_makefile_password()}`**" in readme and f"password `{_makefile_password()}`" in readme
    assert "nangluc-demo" not in readme
