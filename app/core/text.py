"""Text helpers shared by every domain: Vietnamese-aware folding for accent-free search."""
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
