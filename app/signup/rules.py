"""Pure decisions for sign-ups and invitations: the name an account gets, and the shape of an invitation code."""
from __future__ import annotations

import re
import secrets

from app.core.text import fold

# No 0/O, 1/I/L: a code read aloud or copied from paper is typed right the first time.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # 31^12 ≈ 8·10^17 codes: guessing one is hopeless even without the per-address limit


def username_for(full_name: str, digits: int) -> str:
    """A new account's name, chosen by the system: given name, initials, four random digits ("nhung.nth4821").

    The person does not choose it, so a sign-up can never be told "this name is taken" — which would say who is
    registered."""
    words = [w for w in re.sub(r"[^a-z ]", " ", fold(full_name)).split() if w]
    if not words:
        return f"hocvien{digits:04d}"
    given, initials = words[-1][:20], "".join(w[0] for w in words[:-1])[:6]
    return f"{given}.{initials}{digits:04d}" if initials else f"{given}.{digits:04d}"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(typed: str) -> str:
    """What a person types, as the code: case, spaces and dashes do not matter."""
    return re.sub(r"[\s\-]", "", typed or "").upper()[:40]


def grouped(code: str) -> str:
    """For print and reading aloud: "ABCD-EFGH-JKMN"."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))
