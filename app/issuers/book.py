"""The register book (sổ cấp giấy chứng nhận) of one issuing body and year: pure data → PDF or .xlsx, no database.

One line per register entry in order (entries run on across years and never restart), with a column left empty for
the recipient's signature when the certificate is handed over; a revoked certificate keeps its line with a note.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.page import PageMargins
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.core.pdf import FONT, FONT_BOLD, FONT_ITALIC, document_options, register_fonts
from app.core.spreadsheet import to_bytes

HEADERS = ("Số vào sổ", "Số giấy chứng nhận", "Họ và tên", "Ngày sinh", "Khoá học", "Thời gian học", "Ngày cấp",
           "Người nhận ký, ghi rõ họ tên", "Ghi chú")


@dataclass(frozen=True)
class Entry:
    register_entry: int
    number: str
    full_name: str
    birth_date: date | None
    course_title: str
    start_date: date | None
    end_date: date | None
    issue_date: date | None
    note: str = ""               # "Đã thu hồi ngày …; cấp lại số …"


@dataclass(frozen=True)
class Book:
    issuer_parent: str
    issuer_name: str
    year: int
    entries: list[Entry]


def _d(value: date | None) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year}" if value else ""


def _dates(e: Entry) -> str:
    if e.start_date and e.end_date and e.start_date != e.end_date:
        return f"{_d(e.start_date)} – {_d(e.end_date)}"
    return _d(e.start_date or e.end_date)


def row(e: Entry) -> list[str | int]:
    """One line of the book, as both files print it (the signature column stays empty)."""
    return [e.register_entry, e.number, e.full_name, _d(e.birth_date), e.course_title, _dates(e), _d(e.issue_date),
            "", e.note]


def title(book: Book) -> str:
    return f"SỔ CẤP GIẤY CHỨNG NHẬN NĂM {book.year}"


def pdf(book: Book) -> bytes:
    """Landscape A4, the body's name top left as on its papers, the header row repeated on every page, a tall
    row for each signature; Be Vietnam Pro embedded (the base-14 fonts have no Vietnamese)."""
    register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=11.5)
    head = ParagraphStyle("head", parent=base, fontName=FONT_BOLD, alignment=1)
    bold = ParagraphStyle("bold", parent=base, fontName=FONT_BOLD, fontSize=11, leading=14, alignment=1)
    big = ParagraphStyle("big", parent=bold, fontSize=15, leading=20, spaceBefore=6)
    note = ParagraphStyle("note", parent=base, fontName=FONT_ITALIC, fontSize=8.5, alignment=1)
    buf = BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                            bottomMargin=12 * mm, title=f"{title(book)} — {book.issuer_name}", author="Năng Lực",
                            **document_options())
    p = lambda text, style=base: Paragraph(escape(str(text)), style)  # noqa: E731
    issuer = [p(book.issuer_parent.upper(), ParagraphStyle("par", parent=base, fontSize=10, alignment=1))
              ] if book.issuer_parent else []
    issuer.append(p(book.issuer_name.upper(), ParagraphStyle("iss", parent=bold, fontSize=10)))
    top = Table([[issuer, ""]], colWidths=[110 * mm, None])
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story = [top, p(title(book), big),
             p(f"Gồm {len(book.entries)} lượt cấp" + (f", số vào sổ từ {book.entries[0].register_entry} đến "
                                                      f"{book.entries[-1].register_entry}" if book.entries else ""),
               note), Spacer(1, 4 * mm)]
    widths = [13 * mm, 42 * mm, 36 * mm, 23 * mm, 46 * mm, 30 * mm, 23 * mm, 32 * mm, None]
    data = [[p(h, head) for h in HEADERS]]
    for e in book.entries:
        data.append([p(v) if i not in (0, 3, 6) else p(v, ParagraphStyle("c", parent=base, alignment=1))
                     for i, v in enumerate(row(e))])
    if not book.entries:
        data.append([p("Chưa có giấy chứng nhận nào được cấp trong năm này.", note)] + [""] * (len(HEADERS) - 1))
    table = Table(data, colWidths=widths, repeatRows=1)
    # Rows grow with their text; the padding leaves each at least ~30 pt, room for a signature.
    style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
             ("TOPPADDING", (0, 1), (-1, -1), 8), ("BOTTOMPADDING", (0, 1), (-1, -1), 8),
             ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4)]
    if not book.entries:
        style.append(("SPAN", (0, 1), (-1, 1)))
    table.setStyle(TableStyle(style))
    story.append(table)
    doc.build(story)
    return buf.getvalue()


def xlsx(book: Book) -> bytes:
    """The same book as a spreadsheet: title rows, the header, one row per entry; set to print landscape on A4
    with the header row repeated."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"Sổ cấp {book.year}"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    lines = [book.issuer_parent.upper(), book.issuer_name.upper(), "", title(book)]
    for i, text in enumerate(lines, start=1):
        ws.cell(i, 1, text).font = Font(name="Times New Roman", bold=i > 1, size=14 if i == 4 else 12)
    ws.merge_cells(start_row=4, start_column=1, end_row=4, end_column=len(HEADERS))
    ws.cell(4, 1).alignment = Alignment(horizontal="center")
    header_row = 6
    for col, h in enumerate(HEADERS, start=1):
        cell = ws.cell(header_row, col, h)
        cell.font = Font(name="Times New Roman", bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = box
    for r, e in enumerate(book.entries, start=header_row + 1):
        for col, value in enumerate(row(e), start=1):
            cell = ws.cell(r, col, value)
            cell.font = Font(name="Times New Roman")
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            cell.border = box
        ws.row_dimensions[r].height = 32  # room to sign
    for col, width in enumerate((9, 18, 26, 12, 40, 22, 12, 26, 24), start=1):
        ws.column_dimensions[ws.cell(header_row, col).column_letter].width = width
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    return to_bytes(wb)
