"""The printable sign-in sheet: pure data → PDF bytes (A4, Be Vietnam Pro embedded, header on every page)."""
from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.core.pdf import FONT, FONT_BOLD, document_options, register_fonts


@dataclass(frozen=True)
class SheetRow:
    full_name: str
    unit: str
    commune: str


@dataclass(frozen=True)
class SheetData:
    course_code: str
    course_title: str
    session_label: str  # "Thứ Hai 14/12/2026, 07:30–11:30"
    place: str
    organising_body: str
    rows: list[SheetRow]
    reserve: int = 10  # blank rows for walk-ins


def sign_in_sheet(d: SheetData) -> bytes:
    """One session's sheet."""
    return sign_in_sheets([d])


class _Section(Flowable):
    """Invisible marker: from here on, the page footer names this session."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label
        self.width = self.height = 0

    def draw(self) -> None:
        self.canv._nangluc_label = self.label  # noqa: SLF001 - read by the footer at the end of the page


def sign_in_sheets(sheets: list[SheetData]) -> bytes:
    """The sheets of several sessions (a whole course) in one file, each starting on a new page."""
    register_fonts()
    base = ParagraphStyle("b", fontName=FONT, fontSize=9.5, leading=12)
    bold = ParagraphStyle("h", parent=base, fontName=FONT_BOLD, fontSize=13, leading=16, alignment=1)
    center = ParagraphStyle("c", parent=base, alignment=1)
    cell = ParagraphStyle("cell", parent=base, fontSize=9, leading=11)
    p = lambda text, style=base: Paragraph(escape(text), style)  # noqa: E731
    buf = BytesIO()
    first = sheets[0]
    doc = BaseDocTemplate(buf, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=14 * mm,
                          bottomMargin=16 * mm, title=f"Danh sách ký tên — {first.course_code}", **document_options())

    def footer(canvas, document) -> None:  # noqa: ANN001
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawString(14 * mm, 9 * mm, getattr(canvas, "_nangluc_label", ""))
        canvas.drawRightString(A4[0] - 14 * mm, 9 * mm, f"Trang {document.page}")
        canvas.restoreState()

    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="sheet", frames=[frame], onPageEnd=footer)])
    story: list = []
    for n, d in enumerate(sheets):
        if n:
            story.append(PageBreak())
        story += [_Section(f"{d.course_code} · {d.session_label}"),
                  p(d.organising_body.upper() if d.organising_body else "", center),
                  p("DANH SÁCH HỌC VIÊN KÝ TÊN", bold), p(f"{d.course_title} ({d.course_code})", center),
                  p(f"Buổi học: {d.session_label} · Địa điểm: {d.place}", center), Spacer(1, 4 * mm)]
        header = [p("TT", cell), p("Họ và tên", cell), p("Đơn vị", cell), p("Xã/phường", cell), p("Ký tên", cell)]
        body = [[p(str(i), cell), p(r.full_name, cell), p(r.unit, cell), p(r.commune, cell), ""]
                for i, r in enumerate(d.rows, start=1)]
        body += [[p(str(len(d.rows) + i), cell), "", "", "", ""] for i in range(1, d.reserve + 1)]
        table = Table([header, *body], colWidths=[10 * mm, 55 * mm, 50 * mm, 42 * mm, 25 * mm], repeatRows=1,
                      rowHeights=[None] + [9 * mm] * len(body))
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                                   ("FONTNAME", (0, 0), (-1, -1), FONT),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        story.append(table)
    doc.build(story)
    return buf.getvalue()
