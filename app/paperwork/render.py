"""Rendering, a pure function of its data: a .docx template and the document's fields → .docx bytes (docxtpl);
a list's table → .xlsx (openpyxl) and PDF (reportlab, Times-compatible Liberation Serif when installed). No database,
no web framework (an import-linter contract checks it)."""
from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import jinja2
from docxtpl import DocxTemplate
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.core.pdf import FONT as FALLBACK_FONT
from app.core.pdf import FONT_BOLD as FALLBACK_BOLD
from app.core.pdf import FONT_ITALIC as FALLBACK_ITALIC
from app.core.pdf import register_fonts
from app.core.spreadsheet import safe_cell
from app.paperwork.rules import group

SHIPPED = Path(__file__).parent / "docx"
MAX_TEMPLATE_BYTES = 5 * 1024 * 1024


class TemplateError(ValueError):
    """A template that cannot be used: not a .docx, broken Jinja, or a field that does not exist."""


XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _nfc(value: object) -> object:
    """NFC Vietnamese (a name typed with combining marks prints as one letter), without the characters XML refuses."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", XML_ILLEGAL.sub("", value))
    if isinstance(value, Mapping):
        return {k: _nfc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nfc(v) for v in value]
    return value


def shipped(kind: str) -> bytes:
    return (SHIPPED / f"{kind}.docx").read_bytes()


def render_docx(template: bytes, fields: Mapping, *, strict: bool = False) -> bytes:
    """Fill a .docx template. `strict`: a field the template names but the data lacks is an error (used to check
    an uploaded template against the documented fields)."""
    if not zipfile.is_zipfile(BytesIO(template)):
        raise TemplateError("Tệp không phải là tài liệu Word (.docx).")
    try:
        with zipfile.ZipFile(BytesIO(template)) as z:
            if "word/document.xml" not in z.namelist():
                raise TemplateError("Tệp .docx không có nội dung văn bản (word/document.xml).")
        doc = DocxTemplate(BytesIO(template))
        env = jinja2.Environment(undefined=jinja2.StrictUndefined if strict else jinja2.ChainableUndefined,
                                 autoescape=True)
        doc.render(_nfc(dict(fields)), env)
        out = BytesIO()
        doc.save(out)
    except TemplateError:
        raise
    except jinja2.UndefinedError as err:
        raise TemplateError(f"Mẫu dùng trường không có trong danh sách trường: {err.message}.") from err
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(f"Mẫu có lỗi cú pháp Jinja: {err.message}.") from err
    except Exception as err:  # noqa: BLE001 - a broken upload can fail inside docx/lxml in many ways
        raise TemplateError(f"Không dựng được văn bản từ mẫu này: {err}.") from err
    return out.getvalue()


# --- lists as tables --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListTable:
    """A list as rows and columns: what the .xlsx and the PDF print."""

    heading_left: list[str]  # parent body, body
    title: str
    subtitle: str
    note: str
    columns: list[str]
    widths: list[float]  # relative
    rows: list[list[object]]
    totals: list[object] | None = None
    words: str = ""
    numeric_from: int = 99  # columns from this index are numbers (right-aligned)
    landscape: bool = False
    date_line: str = ""
    signers: list[list[str]] = field(default_factory=list)  # each a column of lines: role…, name


def xlsx(t: ListTable) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    n = len(t.columns)
    r = 1
    for line in [*t.heading_left, "", t.title, t.subtitle, t.note]:
        if line == "" and r > len(t.heading_left) + 1:
            continue
        ws.cell(row=r, column=1, value=safe_cell(line)).font = Font(name="Times New Roman", bold=line in (
            t.title,) or (t.heading_left and line == t.heading_left[-1]), size=13)
        if line in (t.title, t.subtitle, t.note):
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n)
            ws.cell(row=r, column=1).alignment = Alignment(horizontal="center", wrap_text=True)
        r += 1
    r += 1
    header_row = r
    for i, c in enumerate(t.columns, start=1):
        cell = ws.cell(row=r, column=i, value=c)
        cell.font, cell.border = Font(name="Times New Roman", bold=True, size=12), box
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in [*t.rows, *([t.totals] if t.totals else [])]:
        r += 1
        for i, v in enumerate(row, start=1):
            cell = ws.cell(row=r, column=i, value=safe_cell(v) if isinstance(v, str) else v)
            cell.border = box
            cell.font = Font(name="Times New Roman", size=12, bold=row is t.totals)
            if isinstance(v, int | float) and i - 1 >= t.numeric_from:
                cell.number_format = "#,##0"
    if t.words:
        r += 2
        ws.cell(row=r, column=1, value=f"Bằng chữ: {t.words}").font = Font(name="Times New Roman", italic=True)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    total = sum(t.widths)
    for i, w in enumerate(t.widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(6, round(100 * w / total))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


LIBERATION = Path("/usr/share/fonts/truetype/liberation2")


@lru_cache
def _fonts() -> tuple[str, str, str]:
    """Times New Roman's metric twin (Liberation Serif, Debian fonts-liberation2) when installed; else the embedded
    Be Vietnam Pro every PDF of the app can use."""
    files = {"LiberationSerif": "LiberationSerif-Regular.ttf", "LiberationSerif-Bold": "LiberationSerif-Bold.ttf",
             "LiberationSerif-Italic": "LiberationSerif-Italic.ttf"}
    if all((LIBERATION / f).exists() for f in files.values()):
        for name, f in files.items():
            pdfmetrics.registerFont(TTFont(name, str(LIBERATION / f)))
        return "LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic"
    register_fonts()
    return FALLBACK_FONT, FALLBACK_BOLD, FALLBACK_ITALIC


def pdf(t: ListTable) -> bytes:
    regular, bold, italic = _fonts()
    size = landscape(A4) if t.landscape else A4
    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=size, leftMargin=30 * mm, rightMargin=15 * mm, topMargin=20 * mm,
                            bottomMargin=20 * mm, title=t.title, lang="vi", initialFontName=regular)
    width = size[0] - 45 * mm

    def style(font: str = regular, sz: float = 12, align: int = 0) -> ParagraphStyle:
        return ParagraphStyle("s", fontName=font, fontSize=sz, leading=sz * 1.25, alignment=align)

    def para(text: object, st: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(str(text)), st)

    left = [para(t.heading_left[0], style(sz=12, align=1))] if len(t.heading_left) > 1 else []
    left.append(para(t.heading_left[-1], style(bold, 12, 1)))
    right = [para("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", style(bold, 12, 1)),
             para("Độc lập - Tự do - Hạnh phúc", style(bold, 13, 1))]
    if t.date_line:
        right.append(para(t.date_line, style(italic, 13, 1)))
    head = Table([[left, right]], colWidths=[width * 0.42, width * 0.58])
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story: list = [head, Spacer(1, 6 * mm), para(t.title, style(bold, 14, 1)), para(t.subtitle, style(bold, 13, 1))]
    if t.note:
        story += [Spacer(1, 2 * mm), para(t.note, style(italic, 12, 1))]
    story.append(Spacer(1, 4 * mm))
    cell = style(sz=11)
    num = style(sz=11, align=2)
    header = [para(c, style(bold, 11, 1)) for c in t.columns]
    def shown(v: object) -> object:
        return group(v) if isinstance(v, int) and not isinstance(v, bool) else v

    body = [[para(shown(v), num if i >= t.numeric_from else cell) for i, v in enumerate(row)] for row in t.rows]
    if t.totals:
        body.append([para(shown(v), style(bold, 11, 2 if i >= t.numeric_from else 0))
                     for i, v in enumerate(t.totals)])
    total_w = sum(t.widths)
    table = Table([header, *body], colWidths=[width * w / total_w for w in t.widths], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story.append(table)
    if t.words:
        story += [Spacer(1, 3 * mm), para(f"Tổng số tiền bằng chữ: {t.words}.", style(italic, 12))]
    if t.signers:
        story.append(Spacer(1, 6 * mm))
        cols = [[para(line, style(bold, 12, 1)) for line in s[:-1]] + [Spacer(1, 18 * mm), para(s[-1], style(
            bold, 12, 1))] for s in t.signers]
        sign = Table([cols], colWidths=[width / len(cols)] * len(cols))
        sign.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(sign)
    doc.build(story)
    return out.getvalue()
