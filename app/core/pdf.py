"""Shared PDF pieces: the Vietnamese-capable fonts (Be Vietnam Pro, embedded), registered once per process."""
from __future__ import annotations

from functools import lru_cache

import fontpkg
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "BeVietnamPro"
FONT_BOLD = "BeVietnamPro-Bold"
FONT_ITALIC = "BeVietnamPro-Italic"
FONT_BOLD_ITALIC = "BeVietnamPro-BoldItalic"


@lru_cache
def register_fonts() -> str:
    """Register the static Be Vietnam Pro files (the base-14 PDF fonts have no Vietnamese). Returns the family."""
    family = "Be Vietnam Pro"
    files = {FONT: fontpkg.path(family, 400), FONT_BOLD: fontpkg.path(family, 700),
             FONT_ITALIC: fontpkg.path(family, 400, style="italic"),
             FONT_BOLD_ITALIC: fontpkg.path(family, 700, style="italic")}
    for name, path in files.items():
        pdfmetrics.registerFont(TTFont(name, str(path)))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT_ITALIC)
    addMapping(FONT, 1, 1, FONT_BOLD_ITALIC)
    return FONT


def document_options() -> dict:
    """Options for a platypus document so that no page refers to Helvetica (which has no Vietnamese)."""
    register_fonts()
    return {"initialFontName": FONT, "initialFontSize": 10, "lang": "vi"}
