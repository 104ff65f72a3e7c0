"""Text helpers shared by every domain: Vietnamese-aware folding for accent-free search, what counts as a number
typed by a person, and the invisible characters a name must not carry."""
from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case, strip diacritics and collapse spaces, so "tan dinh" matches "Tân Dĩnh".

    Đ/đ is a separate letter in Unicode, not D with a mark, so it is mapped by hand.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def is_digits(text: str) -> bool:
    """One or more of the ASCII digits 0-9 and nothing else: the one test of "is this typed number whole".

    `str.isdigit()` also says yes to "²", "٣" (Arabic-Indic) and "３" (fullwidth): `int()` then fails on the first
    (an unhandled error, a 500) and quietly reads the others, which would store a number typed in another script
    as if it were ours. Every "is this a number" check in the application goes through here.
    """
    return text.isascii() and text.isdigit()


def foreign_digits(text: str) -> bool:
    """Whether `text` holds a digit that is not ASCII 0-9 (checked before `Decimal()` or `float()`, which accept
    "٣" and "３")."""
    return any(ch.isdigit() or unicodedata.category(ch) == "No" for ch in text if not ch.isascii())


def clean_name(text: str) -> str:
    """A name or title as it is stored: without invisible format characters, NFC, single spaces.

    Format characters (Unicode category Cf) are the bidirectional overrides and isolates (U+202A-202E, U+2066-2069,
    U+200E/200F), the zero-width space, joiners and no-break (U+200B-200D, U+2060, U+FEFF) and the soft hyphen:
    none belongs in a Vietnamese name, and they let "Nguyễn Văn A" be stored twice as different strings, or a name
    display reversed on a certificate or a list. Control characters go too. Every name input goes through here.
    """
    kept = "".join(ch for ch in str(text) if unicodedata.category(ch) not in ("Cf", "Cc") or ch in "\t\n\r")
    return nfc(" ".join(kept.split()))
