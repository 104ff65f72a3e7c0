"""Pure course rules: the readable course code."""
from __future__ import annotations

import re

CODE_RE = re.compile(r"^(?P<curriculum>[A-Z0-9]+)-(?P<year>\d{4})-(?P<unit>[0-9]+)-(?P<seq>\d{3,})$")


def course_code(curriculum_code: str, year: int, province_code: str, sequence: int) -> str:
    """CT2-2026-24-001: curriculum, year, province of the organising unit, sequence within those three."""
    return f"{curriculum_code}-{year}-{province_code}-{sequence:03d}"


def next_sequence(existing_codes: list[str], curriculum_code: str, year: int, province_code: str) -> int:
    prefix = f"{curriculum_code}-{year}-{province_code}-"
    used = [int(m.group("seq")) for c in existing_codes if c.startswith(prefix) and (m := CODE_RE.match(c))]
    return max(used, default=0) + 1
